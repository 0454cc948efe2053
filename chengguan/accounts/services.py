"""Writes on users and roles; every change lands in the ledger."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from chengguan.accounts.models import ApiToken, User
from chengguan.accounts.roles import Role, check_role_combination, parse_roles
from chengguan.core.services import ledger_append


def role_groups_ensure() -> None:
    """One Django group per role (idempotent)."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def _set_groups(user: User, roles: set[Role]) -> None:
    role_groups_ensure()
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    user._roles_cache = frozenset(roles)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    roles: Iterable[str],
    full_name: str = "",
    region: Any = None,
    agency: Any = None,
    actor: Any = None,
    is_staff: bool | None = None,
) -> User:
    """Create a user with a policy-checked password and a legal set of roles."""
    role_set = parse_roles(roles)
    check_role_combination(role_set)
    user = User(username=username, full_name=full_name, region=region, agency=agency)
    validate_password(password, user)
    user.set_password(password)
    user.is_staff = (
        bool(role_set & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
        if is_staff is None
        else is_staff
    )
    user.save()
    _set_groups(user, role_set)
    ledger_append(
        kind="user.created",
        subject=user,
        actor=actor,
        data={
            "username": username,
            "roles": sorted(role_set),
            "region": region.code if region else "",
            "agency": agency.code if agency else "",
        },
    )
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], actor: Any = None) -> User:
    """Replace a user's roles; refuses two of the three administrator roles (三员分立)."""
    role_set = parse_roles(roles)
    check_role_combination(role_set)
    before = sorted(g.name for g in user.groups.all())
    _set_groups(user, role_set)
    admin_roles = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
    if user.is_staff != bool(role_set & admin_roles):
        user.is_staff = bool(role_set & admin_roles)
        user.save(update_fields=["is_staff"])
    ledger_append(
        kind="user.roles_changed",
        subject=user,
        actor=actor,
        data={"from": before, "to": sorted(role_set)},
    )
    return user


def service_account_ensure(*, username: str, full_name: str, region_code: str) -> User:
    """An operator account for a door into the case flow that is not a person (the citizen
    portal, an Open311 client, the 12345 and 110 exchanges): what comes through that door
    is recorded under its name in timelines and the ledger, and it can do nothing an
    operator cannot. It never signs in (no usable password). Made on first use, because
    these doors work in production without the demo; a concurrent first use finds the
    other's account."""
    from chengguan.org.models import Agency, Region

    account = User.objects.filter(username=username).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account = user_create(
                username=username,
                # Never used: a policy-valid throwaway, then no usable password at all.
                password=f"{secrets.token_urlsafe(24)}aA1!",
                roles=[Role.OPERATOR],
                full_name=full_name,
                region=Region.objects.get(code=region_code),
                agency=Agency.objects.filter(code=f"{region_code}-CGW").first(),
            )
            account.set_unusable_password()
            account.save(update_fields=["password"])
    except IntegrityError:
        account = User.objects.get(username=username)
    return account


# ---------------------------------------------------------------- API tokens (mobile apps)

TOKEN_LIFETIME = timedelta(days=30)
TOKEN_PREFIX = "cg_"  # lets secret scanners and people recognise a leaked token


def api_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: Any, name: str, at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for one device; returns the row and the token, which exists only here."""
    at = at or timezone.now()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        key_hash=api_token_digest(token),
        created_at=at,
        expires_at=at + TOKEN_LIFETIME,
    )
    ledger_append(
        kind="api_token.issued",
        subject=row,
        actor=user,
        data={"name": row.name, "expires_at": row.expires_at.isoformat()},
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token_id: Any, actor: Any, at: datetime | None = None) -> ApiToken:
    """Revoke a token (idempotent: revoking a revoked token changes and records nothing)."""
    row = ApiToken.objects.select_for_update().get(pk=token_id)
    if row.revoked_at is None:
        row.revoked_at = at or timezone.now()
        row.save(update_fields=["revoked_at"])
        ledger_append(kind="api_token.revoked", subject=row, actor=actor, data={"name": row.name})
    return row
