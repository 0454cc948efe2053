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


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a user works: the whole city, one county-level unit, or one street."""

    unit_code: str | None  # None: city-wide
    street_code: str | None

    @property
    def city_wide(self) -> bool:
        return self.unit_code is None

    def contains(self, *, unit_code: str, street_code: str = "") -> bool:
        if self.unit_code is None:
            return True
        if unit_code != self.unit_code:
            return False
        return self.street_code is None or street_code == self.street_code


NO_SCOPE = Scope(unit_code="-", street_code="-")


def scope_of(user) -> Scope:
    """City users see the city, district users their unit, street users their street.

    A user with no region sees nothing: access is granted, never assumed.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    region = user.region
    if region is None:
        return NO_SCOPE
    if region.kind == "city":
        return Scope(unit_code=None, street_code=None)
    if region.kind in ("county", "zone"):
        return Scope(unit_code=region.code, street_code=None)
    return Scope(unit_code=region.unit_code, street_code=region.code)


def region_scope_keys(region) -> dict[str, str]:
    """The county-level unit and street a region belongs to (empty for the city itself)."""
    if region is None or region.kind == "city":
        return {"unit_code": "", "street_code": ""}
    if region.kind == "street":
        return {"unit_code": region.unit_code, "street_code": region.code}
    return {"unit_code": region.unit_code or region.code, "street_code": ""}


def users_visible(user):
    """Users an administrator may see: those working inside the administrator's territory."""
    from django.db.models import Q

    from chengguan.accounts.models import User

    scope = scope_of(user)
    users = User.objects.all()
    if scope.city_wide:
        return users
    if scope.street_code is not None:
        return users.filter(region__code=scope.street_code)
    return users.filter(Q(region__code=scope.unit_code) | Q(region__unit_code=scope.unit_code))
