"""Who may keep the power list in the back office. Reading it needs no rule: it is public.

The system admin edits a power's published text; nobody deletes a power (a later penalty
case refers to it; it is deferred or reworded instead), and holders change only through
`power_holder_assign`.
"""

import rules

from chengguan.accounts.predicates import is_audit_admin, is_system_admin

rules.add_perm("powers", is_system_admin | is_audit_admin)
rules.add_perm("powers.view_power", is_system_admin | is_audit_admin)
rules.add_perm("powers.add_power", is_system_admin)
rules.add_perm("powers.change_power", is_system_admin)
rules.add_perm("powers.delete_power", rules.always_deny)
# Holders change only through the service, benchmarks only through their loader.
for model in ("powerholder", "discretionbenchmark"):
    rules.add_perm(f"powers.view_{model}", is_system_admin | is_audit_admin)
    for action in ("add", "change", "delete"):
        rules.add_perm(f"powers.{action}_{model}", rules.always_deny)
for model in ("power", "powerholder", "discretionbenchmark"):
    rules.add_perm(f"powers.view_historical{model}", is_system_admin | is_audit_admin)
