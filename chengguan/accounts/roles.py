"""Roles (Django groups) and the rule that keeps the three administrators apart.

Pure: no Django import, so the rule is unit-tested in milliseconds and shared by the
service, the admin form and the API.
"""

from collections.abc import Iterable
from enum import StrEnum

from chengguan.core.errors import DomainError, gettext_noop


class Role(StrEnum):
    INSPECTOR = "inspector"
    OPERATOR = "operator"
    SHIFT_LEADER = "shift_leader"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    OFFICER = "officer"
    LEGAL_REVIEWER = "legal_reviewer"
    PERSONNEL = "personnel"
    LEADER = "leader"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDIT_ADMIN = "audit_admin"


ROLE_LABELS: dict[Role, str] = {
    Role.INSPECTOR: gettext_noop("监督员"),
    Role.OPERATOR: gettext_noop("受理员"),
    Role.SHIFT_LEADER: gettext_noop("值班长"),
    Role.DISPATCHER: gettext_noop("派遣员"),
    Role.HANDLER: gettext_noop("处置人员"),
    Role.OFFICER: gettext_noop("执法队员"),
    Role.LEGAL_REVIEWER: gettext_noop("法制审核员"),
    Role.PERSONNEL: gettext_noop("队伍管理员"),
    Role.LEADER: gettext_noop("领导"),
    Role.SYSTEM_ADMIN: gettext_noop("系统管理员"),
    Role.SECURITY_ADMIN: gettext_noop("安全管理员"),
    Role.AUDIT_ADMIN: gettext_noop("审计管理员"),
}

# 三员分立: system, security and audit administration are held by three different people.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def parse_roles(names: Iterable[str]) -> set[Role]:
    roles: set[Role] = set()
    for name in names:
        try:
            roles.add(Role(name))
        except ValueError:
            raise DomainError(gettext_noop("未知角色：%(role)s"), role=name) from None
    return roles


def check_role_combination(roles: Iterable[Role]) -> None:
    """Refuse a set of roles that would give one person two of the three administrator roles."""
    held = sorted(ADMIN_ROLES.intersection(roles))
    if len(held) > 1:
        raise DomainError(
            gettext_noop("三员分立：同一用户不能同时担任%(roles)s"),
            roles="、".join(ROLE_LABELS[r] for r in held),
        )
