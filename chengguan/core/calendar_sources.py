"""Where the working-day overrides for one year come from.

The State Council publishes each year's holiday arrangement (放假安排) in the autumn of
the year before: which weekdays are off and which weekends are 调休 make-up working days.
Two sources feed `WorkCalendar` overrides:

* `official_year`: the published arrangement, as packaged by `chinesecalendar`. It is the
  truth, but exists only for years the package knows.
* `estimated_year`: a stand-in for a year whose notice is not out (or not yet entered),
  from the `holidays` package, which derives festival dates from the lunar calendar. It
  knows no make-up working days and guesses the bridging days, so deadlines reaching into
  such a year must be marked provisional until an administrator enters the official notice.

Both return `{date: (DayKind, festival name in Chinese or "")}`; `day_kinds` strips the
names for `WorkCalendar(overrides=...)`. Pure functions, no Django. The two packages are
imported inside the functions: `holidays` alone takes ~0.15 s to import, and code that
only computes deadlines from stored overrides should not pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from chengguan.core.workcal import DayKind

__all__ = ["day_kinds", "estimated_year", "official_year"]

# chinesecalendar keys its names by English festival name; its own Chinese labels are
# abbreviated ("清明", "端午", "中秋"), so the full names used in the State Council notice
# are listed here and its label is the fallback.
_FULL_CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


def _chinese_name(english: object) -> str:
    from chinese_calendar.constants import Holiday

    if english in _FULL_CHINESE_NAMES:
        return _FULL_CHINESE_NAMES[english]
    try:
        return Holiday(english).chinese
    except ValueError:
        return ""


def official_year(year: int) -> dict[date, tuple[DayKind, str]] | None:
    """The published arrangement for `year`, or None when `chinesecalendar` lacks it.

    Every listed holiday is recorded as HOLIDAY, including those that fall on a weekend
    (harmless, and it keeps the festival name for display); every listed make-up working
    day is WORKDAY.
    """
    import chinese_calendar
    from chinese_calendar import constants

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return None
    result: dict[date, tuple[DayKind, str]] = {}
    for day, name in constants.holidays.items():
        if day.year == year:
            result[day] = (DayKind.HOLIDAY, _chinese_name(name))
    for day, name in constants.workdays.items():
        if day.year == year:
            result[day] = (DayKind.WORKDAY, _chinese_name(name))
    return dict(sorted(result.items()))


def estimated_year(year: int) -> dict[date, tuple[DayKind, str]]:
    """An estimate for `year`, used only until the official notice is entered.

    Every public holiday the `holidays` package lists (lunar-calendar festival dates and
    its guessed bridging days) becomes HOLIDAY. No make-up working days are known, so
    weekends stay off. Deadlines computed from this must be flagged provisional.
    """
    import holidays

    estimate = holidays.China(years=year, language="zh_CN")
    return {day: (DayKind.HOLIDAY, str(name)) for day, name in sorted(estimate.items())}


def day_kinds(entries: Mapping[date, tuple[DayKind, str]]) -> dict[date, DayKind]:
    """Drop the names: the shape `WorkCalendar(overrides=...)` takes."""
    return {day: kind for day, (kind, _name) in entries.items()}
