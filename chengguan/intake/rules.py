"""Who may read the exchanged work orders and their callbacks in the back office: the
system admin (to see a partner that stopped answering) and the audit admin."""

import rules

from chengguan.accounts.predicates import is_audit_admin, is_system_admin

rules.add_perm("intake", is_system_admin | is_audit_admin)
rules.add_perm("intake.view_workorder", is_system_admin | is_audit_admin)
rules.add_perm("intake.view_callback", is_system_admin | is_audit_admin)
