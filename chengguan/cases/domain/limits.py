"""Time limits as people write them: "4工作时", "2工作日", "3小时".

Working hours and days are counted on the working calendar; plain hours (小时) run around
the clock, for urgent matters such as a missing manhole cover.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from chengguan.core.errors import DomainError, gettext_noop


class LimitUnit(StrEnum):
    WORKING_HOURS = "hours"
    WORKING_DAYS = "days"
    CLOCK_HOURS = "clock_hours"


_SUFFIX = {
    "工作时": LimitUnit.WORKING_HOURS,
    "工作日": LimitUnit.WORKING_DAYS,
    "小时": LimitUnit.CLOCK_HOURS,
}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(工作时|工作日|小时)\s*$")
_MAX = {LimitUnit.WORKING_HOURS: 2000, LimitUnit.WORKING_DAYS: 250, LimitUnit.CLOCK_HOURS: 2000}


@dataclass(frozen=True, slots=True)
class Limit:
    amount: Decimal
    unit: LimitUnit

    def __str__(self) -> str:
        suffix = {v: k for k, v in _SUFFIX.items()}[self.unit]
        return f"{self.amount.normalize():f}{suffix}"


def parse_limit(text: str) -> Limit:
    """ "4工作时" → Limit(4, hours). Working days must be whole; every limit positive."""
    match = _PATTERN.match(text or "")
    if not match:
        raise DomainError(
            gettext_noop("时限“%(text)s”无法识别：应写成数字加单位，如 4工作时、2工作日、3小时"),
            text=text,
        )
    amount, unit = Decimal(match.group(1)), _SUFFIX[match.group(2)]
    if amount <= 0 or amount > _MAX[unit]:
        raise DomainError(gettext_noop("时限“%(text)s”超出合理范围"), text=text)
    if unit is LimitUnit.WORKING_DAYS and amount != amount.to_integral_value():
        raise DomainError(gettext_noop("工作日时限须为整数：“%(text)s”"), text=text)
    return Limit(amount, unit)
