"""Who may take in a report through which channel (pure).

A patrol inspector reports what they saw themselves; an operator takes in reports from
the public and from other platforms (hotline, 12345, 110, web, sensors).
"""

from collections.abc import Iterable

from chengguan.accounts.roles import Role
from chengguan.core.errors import Forbidden, gettext_noop

INSPECTOR = "inspector"
CHANNEL_LABELS = {
    "inspector": gettext_noop("监督员上报"),
    "hotline": gettext_noop("12319 热线"),
    "web": gettext_noop("市民网上报"),
    "12345": gettext_noop("12345 工单"),
    "110": gettext_noop("110 转办"),
    "sensor": gettext_noop("物联感知"),
    "other": gettext_noop("其他"),
}
REPORT_CHANNELS: dict[Role, tuple[str, ...]] = {
    Role.INSPECTOR: (INSPECTOR,),
    Role.OPERATOR: ("hotline", "12345", "110", "web", "sensor", "other"),
}


def channels_for(roles: Iterable[Role]) -> list[str]:
    """The channels open to these roles, the usual one first."""
    found: list[str] = []
    for role, channels in REPORT_CHANNELS.items():
        if role in roles:
            found += [c for c in channels if c not in found]
    return found


def check_report_channel(roles: Iterable[Role], channel: str) -> None:
    roles = frozenset(roles)
    allowed = channels_for(roles)
    if not allowed:
        raise Forbidden(gettext_noop("您的岗位不能上报案卷"))
    if channel not in allowed:
        raise Forbidden(
            gettext_noop("您的岗位不能登记来源为“%(channel)s”的案卷"),
            channel=CHANNEL_LABELS.get(channel, channel),
        )
