"""Who may read the ledger and edit the working calendar."""

import rules

from chengguan.accounts.predicates import (
    is_active_user,
    is_any_admin,
    is_audit_admin,
    is_system_admin,
)

rules.add_perm("core", is_any_admin)
rules.add_perm("core.view_ledgerentry", is_audit_admin)
for model in ("calendaryear", "calendarday", "officeperiod"):
    rules.add_perm(f"core.view_{model}", is_active_user)
    rules.add_perm(f"core.add_{model}", is_system_admin)
    rules.add_perm(f"core.change_{model}", is_system_admin)
    rules.add_perm(f"core.delete_{model}", is_system_admin)
