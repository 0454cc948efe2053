"""Who may manage the catalogue and the responsibility matrix, and read cases in the back office."""

import rules

from chengguan.accounts.predicates import (
    has_role,
    is_active_user,
    is_any_admin,
    is_audit_admin,
    is_system_admin,
)
from chengguan.accounts.roles import Role

rules.add_perm("cases", is_any_admin)
for model in ("category", "responsibility"):
    rules.add_perm(f"cases.view_{model}", is_active_user)
    rules.add_perm(f"cases.add_{model}", is_system_admin)
    rules.add_perm(f"cases.change_{model}", is_system_admin)
    rules.add_perm(f"cases.delete_{model}", is_system_admin)
    rules.add_perm(f"cases.view_historical{model}", is_system_admin | is_audit_admin)
rules.add_perm("cases.view_case", is_system_admin | is_audit_admin)
rules.add_perm("cases.view_notice", is_system_admin | is_audit_admin)

# Hotline staff call reporters back; nobody else needs a reporter's full phone number.
rules.add_perm("cases.unmask_phone", has_role(Role.OPERATOR, Role.SHIFT_LEADER))
