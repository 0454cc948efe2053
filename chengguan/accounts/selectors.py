"""Reads about users: their roles and the territory they may see."""

from dataclasses import dataclass

from chengguan.accounts.roles import Role


def roles_of(user) -> frozenset[Role]:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_roles_cache", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(Role(n) for n in names if n in Role._value2member_map_)
        user._roles_cache = cached
    return cached


# Bodies whose staff work for the body, wherever it operates (a power company, a cleaning
# contractor): their users are bound to that agency and its subordinate units.
AGENCY_BOUND_KINDS = frozenset({"department", "contractor"})
ANY_AGENCY = object()  # `contains` called for an object that belongs to no agency


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a user works: the whole city, one county-level unit or one street; and, for
    staff of a department or contractor, which agencies (their own and its subordinates)."""

    unit_code: str | None  # None: city-wide
    street_code: str | None
    agency_ids: frozenset | None = None  # None: not bound to an agency

    @property
    def city_wide(self) -> bool:
        return self.unit_code is None

    def contains(self, *, unit_code: str, street_code: str = "", agency_id=ANY_AGENCY) -> bool:
        bound = self.agency_ids is not None and agency_id is not ANY_AGENCY
        if bound and agency_id not in self.agency_ids:
            return False
        if self.unit_code is None:
            return True
        if unit_code != self.unit_code:
            return False
        return self.street_code is None or street_code == self.street_code


NO_SCOPE = Scope(unit_code="-", street_code="-", agency_ids=frozenset())


def agency_family(agency_id) -> frozenset:
    """An agency and every unit under it in the line of leadership."""
    from chengguan.org.models import Agency

    children: dict = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    family, todo = {agency_id}, [agency_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in family:
                family.add(child)
                todo.append(child)
    return frozenset(family)


def scope_of(user) -> Scope:
    """City users see the city, district users their unit, street users their street;
    staff of a department or contractor only what belongs to their agency.

    A user with no region sees nothing: access is granted, never assumed. Cached on the
    user object for the request.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is None:
        cached = _scope(user)
        user._scope_cache = cached
    return cached


def _scope(user) -> Scope:
    region = user.region
    if region is None:
        return NO_SCOPE
    agency = user.agency
    agency_ids = agency_family(agency.pk) if agency and agency.kind in AGENCY_BOUND_KINDS else None
    if region.kind == "city":
        return Scope(unit_code=None, street_code=None, agency_ids=agency_ids)
    if region.kind in ("county", "zone"):
        return Scope(unit_code=region.code, street_code=None, agency_ids=agency_ids)
    return Scope(unit_code=region.unit_code, street_code=region.code, agency_ids=agency_ids)


def region_scope_keys(region) -> dict[str, str]:
    """The county-level unit and street a region belongs to (empty for the city itself)."""
    if region is None or region.kind == "city":
        return {"unit_code": "", "street_code": ""}
    if region.kind == "street":
        return {"unit_code": region.unit_code, "street_code": region.code}
    return {"unit_code": region.unit_code or region.code, "street_code": ""}


def users_visible(user):
    """Users an administrator may see: those working inside the administrator's territory
    (and, for an agency-bound administrator, inside the administrator's agency)."""
    from django.db.models import Q

    from chengguan.accounts.models import User

    scope = scope_of(user)
    users = User.objects.all()
    if scope.agency_ids is not None:
        users = users.filter(agency_id__in=scope.agency_ids)
    if scope.city_wide:
        return users
    if scope.street_code is not None:
        return users.filter(region__code=scope.street_code)
    return users.filter(Q(region__code=scope.unit_code) | Q(region__unit_code=scope.unit_code))
