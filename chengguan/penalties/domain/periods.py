"""How the law's periods are counted: working days or natural days, and where they end.

Art. 85: "本法中'二日''三日''五日''七日'的规定是指工作日，不含法定节假日". The 2-, 3-, 5- and
7-day periods are therefore working days on the official calendar (`WorkCalendar`: public
holidays off, 调休 make-up weekend days worked). Every other period in the law is natural
days: the 15 days to pay a fine (Art. 67) and the 90 days to decide (Art. 60) are not in
Art. 85's list, and the list is closed. The 20-day publication period (a local standard,
not the law) says 工作日 itself.

Counting follows the general rule of 民法典 Art. 201, also used by `WorkCalendar`'s
`days=`: the day of the starting event is not counted. A working-day period ends at the
close of the last office period of its last working day; the agency works to that instant.
A period the *party* must keep (asking for a hearing) is kept by an act done any time on
its last day, the reading that never takes a day from the party.

Only a natural-day period the party must keep (paying) moves off a holiday: 民法典 Art. 203
ends a period whose last day is a statutory holiday on the first day after it, and charging
a late fee for a day on which that rule would still let the party pay is the worse error.
The agency's own natural-day limit (the 90 days to decide) does not move: if the rule
applies to it, the agency merely finishes a little early.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chengguan.core.workcal import Due, WorkCalendar

# Art. 85: the only periods counted in working days.
WORKING_DAY_PERIODS = frozenset({2, 3, 5, 7})


def working_days_due(start: datetime, days: int, calendar: WorkCalendar) -> Due:
    """The end of an Art. 85 working-day period started at `start`.

    Refuses any other length, so a period the law counts in natural days cannot be
    computed as working days by mistake.
    """
    if days not in WORKING_DAY_PERIODS:
        raise ValueError(f"Art. 85 counts only 2, 3, 5 and 7 days as working days, not {days}")
    return calendar.add_working_time(start, days=days)


def local_date(moment: datetime, calendar: WorkCalendar) -> date:
    """The date of an aware instant in the calendar's office time zone."""
    return moment.astimezone(ZoneInfo(calendar.tz)).date()


def natural_days_end(start: date, days: int) -> date:
    """The last day of a period of `days` natural days starting the day after `start`."""
    return start + timedelta(days=days)


def first_working_day_from(day: date, calendar: WorkCalendar) -> date:
    """`day`, or the first working day after it (民法典 Art. 203)."""
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February (民法典 Art. 202: with no
    corresponding day, the period ends on the last day of that month)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
