"""Who may manage users, roles and lock-outs (三员分立).

System admin: users' details. Security admin: roles and lock-outs. Audit admin: read only.
"""

import rules

from chengguan.accounts.predicates import is_audit_admin, is_security_admin, is_system_admin
from chengguan.accounts.selectors import region_scope_keys, scope_of


@rules.predicate
def user_in_scope(admin, user) -> bool:
    """A district administrator manages the people of that district only."""
    if user is None:
        return True
    return scope_of(admin).contains(**region_scope_keys(user.region), agency_id=user.agency_id)


can_view_users = (is_system_admin | is_security_admin | is_audit_admin) & user_in_scope

rules.add_perm("accounts", is_system_admin | is_security_admin)
rules.add_perm("accounts.view_user", can_view_users)
rules.add_perm("accounts.add_user", is_system_admin)
rules.add_perm("accounts.change_user", (is_system_admin | is_security_admin) & user_in_scope)
rules.add_perm("accounts.delete_user", rules.always_deny)  # deactivate instead: keep the trail
rules.add_perm("accounts.view_historicaluser", can_view_users)

rules.add_perm("auth", is_security_admin | is_audit_admin)
rules.add_perm("auth.view_group", is_security_admin | is_audit_admin)
rules.add_perm("auth.view_permission", is_security_admin | is_audit_admin)

rules.add_perm("axes", is_security_admin | is_audit_admin)
for model in ("accessattempt", "accessfailurelog", "accesslog"):
    rules.add_perm(f"axes.view_{model}", is_security_admin | is_audit_admin)
rules.add_perm("axes.delete_accessattempt", is_security_admin)  # unlock a locked-out user
