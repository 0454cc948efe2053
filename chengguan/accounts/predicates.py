"""`rules` predicates shared by every app's rules.py: roles and territorial scope."""

import rules

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of


def has_role(*roles: Role) -> rules.Predicate:
    wanted = frozenset(roles)

    @rules.predicate(name="has_role:" + ",".join(sorted(wanted)))
    def predicate(user) -> bool:
        return bool(wanted & roles_of(user))

    return predicate


is_system_admin = has_role(Role.SYSTEM_ADMIN)
is_security_admin = has_role(Role.SECURITY_ADMIN)
is_audit_admin = has_role(Role.AUDIT_ADMIN)
is_any_admin = has_role(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
is_active_user = rules.is_active & rules.is_authenticated
