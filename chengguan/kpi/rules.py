"""Who may keep the evaluation's weights in the back office: the system administrator
edits them, the audit administrator reads them. Evaluation results and satisfaction are
read on the /kpi/ pages (their own role check), not edited anywhere."""

import rules

from chengguan.accounts.predicates import is_audit_admin, is_system_admin

rules.add_perm("kpi", is_system_admin | is_audit_admin)
rules.add_perm("kpi.view_indicatorweight", is_system_admin | is_audit_admin)
rules.add_perm("kpi.add_indicatorweight", is_system_admin)
rules.add_perm("kpi.change_indicatorweight", is_system_admin)
rules.add_perm("kpi.delete_indicatorweight", is_system_admin)
rules.add_perm("kpi.view_satisfactioninput", is_system_admin | is_audit_admin)
for model in ("satisfactioninput", "evaluation", "indicatorvalue", "satisfactionscore"):
    rules.add_perm(f"kpi.add_{model}", rules.always_deny)
    rules.add_perm(f"kpi.change_{model}", rules.always_deny)
    rules.add_perm(f"kpi.delete_{model}", rules.always_deny)
