"""Object-level permissions on territory and organisation, by the user's region scope."""

import rules

from chengguan.accounts.predicates import is_active_user, is_audit_admin, is_system_admin
from chengguan.accounts.selectors import region_scope_keys, scope_of
from chengguan.org.models import Agency, Grid, Region


def scope_keys(obj) -> dict[str, str]:
    """The county-level unit and street an org object belongs to."""
    if isinstance(obj, Region):
        return region_scope_keys(obj)
    if isinstance(obj, Grid):
        return {"unit_code": obj.region_code, "street_code": obj.code[:9]}
    if isinstance(obj, Agency):
        return {**scope_keys(obj.region), "agency_id": obj.pk}
    raise TypeError(f"no scope for {type(obj).__name__}")


@rules.predicate
def in_scope(user, obj) -> bool:
    """With no object (list pages) the selector narrows the rows; with one, check its place."""
    if obj is None:
        return True
    return scope_of(user).contains(**scope_keys(obj))


rules.add_perm("org", is_active_user)
for model in ("region", "grid"):
    rules.add_perm(f"org.view_{model}", is_active_user & in_scope)
    rules.add_perm(f"org.change_{model}", is_system_admin & in_scope)
    rules.add_perm(f"org.add_{model}", is_system_admin)
    rules.add_perm(
        f"org.delete_{model}", rules.always_deny
    )  # registry rows are retired, not deleted
    rules.add_perm(f"org.view_historical{model}", is_system_admin | is_audit_admin)
# The agency directory is not secret: everyone signed in may read it (dispatch needs it).
rules.add_perm("org.view_agency", is_active_user)
rules.add_perm("org.change_agency", is_system_admin & in_scope)
rules.add_perm("org.add_agency", is_system_admin)
rules.add_perm("org.delete_agency", rules.always_deny)
rules.add_perm("org.view_historicalagency", is_system_admin | is_audit_admin)
