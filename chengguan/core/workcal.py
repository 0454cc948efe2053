"""Working-time arithmetic on the official Chinese calendar.

Every statutory deadline in city management is counted in *working* time: "handle within 4
working hours", "decide within 7 working days". A working day is Monday–Friday unless the
State Council's yearly notice says otherwise: public holidays are off, and the 调休 make-up
days (some Saturdays and Sundays) are working days. Within a working day only the office
periods count (by default 08:30–12:00 and 13:30–18:00).

The platform computes such deadlines in bulk (every open case, every list page), so this
module is built for speed: `WorkCalendar.__init__` precomputes, for every day of the
calendar range, how many working days lie before it. Working time then becomes a monotone
function of the instant, "working microseconds since the start of the range", and adding
working time is: map the start onto that axis, add, map back. Each step is a list lookup
or a short `bisect` over the office periods, so a call costs a few microseconds.

Times enter and leave as aware datetimes (UTC in, UTC out); the office day lives in a
local zone (default Asia/Shanghai). Days outside the calendar range are plain weekdays and
the answer is flagged provisional, never refused: a deadline must always exist.

Pure domain code: standard library only, no Django.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_PERIODS", "DayKind", "Due", "WorkCalendar"]

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(13, 30), time(18, 0)),
)

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_US_PER_DAY = 24 * _US_PER_HOUR
_ONE_US = timedelta(microseconds=1)
_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _NAIVE_EPOCH.toordinal()
# How often the zone offset is sampled when deciding whether it is fixed over the range.
# Any real DST regime lasts months, so 6-hourly samples cannot miss one.
_OFFSET_SAMPLE = timedelta(hours=6)
_OFFSET_MARGIN_DAYS = 366


class DayKind(StrEnum):
    """An official override of the weekday/weekend default for one date."""

    HOLIDAY = "holiday"  # a weekday (or weekend day) that is off
    WORKDAY = "workday"  # a 调休 make-up day: a Saturday or Sunday that is worked


@dataclass(frozen=True, slots=True)
class Due:
    """A computed deadline.

    `provisional` warns that some day between the start and the deadline lies in a year
    whose official holiday notice has not been entered (only an estimate, or nothing, is
    known), so the deadline may move once it is.
    """

    at: datetime  # aware, UTC
    provisional: bool


def _plain_workdays_before(ordinal: int) -> int:
    """Count Monday–Friday days with a proleptic ordinal below `ordinal` (from ordinal 1).

    Ordinal 1 (0001-01-01) is a Monday, so weeks align with multiples of 7. Valid for any
    integer; this is what lets dates outside the precomputed range still be answered.
    """
    weeks, rest = divmod(ordinal - 1, 7)
    return 5 * weeks + min(rest, 5)


def _plain_workday_number(count: int) -> int:
    """Inverse of `_plain_workdays_before`: the weekday preceded by `count` weekdays."""
    weeks, rest = divmod(count, 5)
    return 1 + 7 * weeks + rest


def _micros_of(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


def _validated_periods(periods: Sequence[tuple[time, time]]) -> list[tuple[int, int]]:
    """Office periods as (start, end) microseconds since midnight, or ValueError.

    Periods may touch (12:00–12:00 is no break) but not overlap, and must be given in order
    so a configuration mistake is reported rather than silently reinterpreted.
    """
    if not periods:
        raise ValueError("office periods must not be empty")
    spans: list[tuple[int, int]] = []
    for period in periods:
        try:
            start, end = period
        except (TypeError, ValueError):
            raise ValueError(f"office period {period!r} is not a (start, end) pair") from None
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"office period {period!r} must be two datetime.time values")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"office period {period!r} must use naive (local) times")
        if start >= end:
            raise ValueError(f"office period {start}–{end} must start before it ends")
        if spans and _micros_of(start) < spans[-1][1]:
            raise ValueError(
                f"office period {start}–{end} overlaps or precedes the previous period; "
                "periods must be sorted and must not overlap"
            )
        spans.append((_micros_of(start), _micros_of(end)))
    return spans


class WorkCalendar:
    """Working days and office hours of one jurisdiction, with fast deadline arithmetic.

    Build it once (it precomputes per-day tables over first_year..last_year, a few
    milliseconds) and share it; it is immutable and thread-safe.

    The internal time axis is *local wall-clock microseconds since 1970-01-01 00:00 local*:
    days are then exact multiples of 24 h and an office period is a fixed slice of every
    day. "Work position" F(t) is the number of working microseconds before local instant t,
    counted from the start of the range (negative before it).
    """

    def __init__(
        self,
        *,
        overrides: Mapping[date, DayKind],
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        provisional_years: Iterable[int] = (),
        tz: str = "Asia/Shanghai",
        first_year: int = 2020,
        last_year: int = 2040,
    ) -> None:
        if first_year > last_year:
            raise ValueError(f"first_year {first_year} is after last_year {last_year}")
        self.first_year = first_year
        self.last_year = last_year
        self.periods: tuple[tuple[time, time], ...] = tuple(periods)
        self.tz = tz
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {tz!r}") from None
        self._init_periods(_validated_periods(periods))
        self._init_days(overrides, frozenset(provisional_years))
        self._init_offset()

    # -- construction -------------------------------------------------------------------

    def _init_periods(self, spans: list[tuple[int, int]]) -> None:
        """Tables for mapping a time of day to working microseconds already done that day.

        `_bounds` is the flat list start0, end0, start1, end1, ...; `bisect_right` into it
        tells whether a time falls inside a period (odd index) or in a gap (even index).
        """
        self._bounds = [b for span in spans for b in span]
        self._starts = [s for s, _ in spans]
        done = 0
        self._done_before: list[int] = []  # working µs in the day before period k starts
        self._done_at_end: list[int] = []  # working µs in the day when period k ends
        for start, end in spans:
            self._done_before.append(done)
            done += end - start
            self._done_at_end.append(done)
        self._done_in_gap = [*self._done_before, done]  # in the gap before period k (or after all)
        self._day_us = done
        self._day_end = spans[-1][1]

    def _init_days(self, overrides: Mapping[date, DayKind], provisional: frozenset[int]) -> None:
        """Per-day tables over the range: workday flags, counts before, provisional marks."""
        lo = date(self.first_year, 1, 1).toordinal()
        hi = date(self.last_year + 1, 1, 1).toordinal()  # first ordinal past the range
        kinds: dict[int, DayKind] = {}
        for day, kind in overrides.items():
            ordinal = day.toordinal()
            if not lo <= ordinal < hi:
                raise ValueError(
                    f"override for {day} is outside the calendar range "
                    f"{self.first_year}–{self.last_year}"
                )
            kinds[ordinal] = DayKind(kind)
        n = hi - lo
        is_work = [
            kinds[o] is DayKind.WORKDAY if o in kinds else (o - 1) % 7 < 5 for o in range(lo, hi)
        ]
        before = [0] * (n + 1)  # before[i]: working days in [lo, lo + i)
        for i, work in enumerate(is_work):
            before[i + 1] = before[i] + work
        # next_provisional[i]: first ordinal >= lo + i that is provisional; days past the
        # range are provisional, so the sentinel is `hi`.
        next_provisional = [hi] * (n + 1)
        for i in range(n - 1, -1, -1):
            ordinal = lo + i
            is_prov = date.fromordinal(ordinal).year in provisional
            next_provisional[i] = ordinal if is_prov else next_provisional[i + 1]
        self._lo, self._hi, self._n = lo, hi, n
        self._is_work = is_work
        self._before = before
        self._workday_ordinals = [lo + i for i, work in enumerate(is_work) if work]
        self._total = before[n]
        self._plain_lo = _plain_workdays_before(lo)
        self._plain_hi = _plain_workdays_before(hi)
        self._next_provisional = next_provisional

    def _init_offset(self) -> None:
        """Detect a fixed UTC offset, so that time-zone conversion becomes one addition.

        Asia/Shanghai has been +08:00 since 1991. The zone is sampled every 6 hours of wall
        time over the range plus a year either side (deadlines often run a little past the
        range); instants outside that window, and any zone with DST, go through zoneinfo.
        """
        lo, hi = self._lo - _OFFSET_MARGIN_DAYS, self._hi + _OFFSET_MARGIN_DAYS
        wall, end = datetime.fromordinal(lo - 1), datetime.fromordinal(hi + 1)
        offsets = set()
        utcoffset = self._zone.utcoffset
        while wall <= end:
            offsets.add(utcoffset(wall))
            wall += _OFFSET_SAMPLE
        self._offset_us: int | None = None
        if len(offsets) == 1:
            (offset,) = offsets
            self._offset_us = offset // _ONE_US
        # Window (UTC µs) where the fixed offset is known to hold, well inside the samples.
        self._fixed_lo_us = (lo - _EPOCH_ORDINAL) * _US_PER_DAY
        self._fixed_hi_us = (hi - _EPOCH_ORDINAL) * _US_PER_DAY

    # -- public API ----------------------------------------------------------------------

    @property
    def working_hours_per_day(self) -> float:
        """Office hours in one working day (8.0 with the default periods)."""
        return self._day_us / _US_PER_HOUR

    def is_workday(self, d: date) -> bool:
        """Whether `d` is a working day: an official override wins, else Monday–Friday."""
        return self._is_work_ordinal(d.toordinal())

    def add_working_time(
        self, start: datetime, *, hours: float | None = None, days: int | None = None
    ) -> Due:
        """The deadline for a task started at `start` with a working-time allowance.

        Exactly one of:

        * `hours` (≥ 0): that much office time, counted from `start` or, if `start` is
          outside office time, from the next period start. A deadline that lands exactly at
          a period's end stays there (17:00 + 1 h is 18:00 that day, not 08:30 the next
          morning). Zero hours is due at `start` itself.
        * `days` (integer ≥ 1): the statutory convention that the starting day is not
          counted: the deadline is the end of the last office period of the N-th working
          day after the local date of `start`, whatever time of day `start` is.
        """
        if (hours is None) == (days is None):
            raise ValueError("give exactly one of hours= or days=")
        if start.utcoffset() is None:
            raise ValueError("start must be a timezone-aware datetime")
        local = self._to_local_us(start)
        start_ordinal = local // _US_PER_DAY + _EPOCH_ORDINAL
        if hours is not None:
            if not 0 <= hours < math.inf:
                raise ValueError(f"hours must be a finite number >= 0, got {hours!r}")
            amount = round(hours * _US_PER_HOUR)
            due_local = self._local_after(local, start_ordinal, amount) if amount else local
            due_ordinal = due_local // _US_PER_DAY + _EPOCH_ORDINAL
        else:
            if not isinstance(days, int) or isinstance(days, bool) or days < 1:
                raise ValueError(f"days must be an integer >= 1, got {days!r}")
            first = self._workdays_before(start_ordinal + 1)  # the start day never counts
            due_ordinal = self._workday_ordinal(first + days - 1)
            due_local = (due_ordinal - _EPOCH_ORDINAL) * _US_PER_DAY + self._day_end
        return Due(self._to_utc(due_local), self._is_provisional(start_ordinal, due_ordinal))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time on working days from `a` to `b`; negative when `b` is before `a`."""
        if a.utcoffset() is None or b.utcoffset() is None:
            raise ValueError("a and b must be timezone-aware datetimes")
        return timedelta(
            microseconds=self._position(self._to_local_us(b)) - self._position(self._to_local_us(a))
        )

    # -- days: lookups that fall back to plain-weekday arithmetic outside the range ------

    def _is_work_ordinal(self, ordinal: int) -> bool:
        if self._lo <= ordinal < self._hi:
            return self._is_work[ordinal - self._lo]
        return (ordinal - 1) % 7 < 5

    def _workdays_before(self, ordinal: int) -> int:
        """Working days in [range start, ordinal); negative for ordinals before the range."""
        if ordinal < self._lo:
            return _plain_workdays_before(ordinal) - self._plain_lo
        if ordinal <= self._hi:
            return self._before[ordinal - self._lo]
        return self._total + _plain_workdays_before(ordinal) - self._plain_hi

    def _workday_ordinal(self, count: int) -> int:
        """The working day preceded by exactly `count` working days (inverse of the above)."""
        if count < 0:
            return _plain_workday_number(count + self._plain_lo)
        if count < self._total:
            return self._workday_ordinals[count]
        return _plain_workday_number(count - self._total + self._plain_hi)

    def _is_provisional(self, first: int, last: int) -> bool:
        """Whether any day in [first, last] is provisional or outside the range."""
        if not self._lo <= first < self._hi:
            return True
        return self._next_provisional[first - self._lo] <= last

    # -- the working-time axis -----------------------------------------------------------

    def _done_in_day(self, time_us: int) -> int:
        """Working µs of a working day already elapsed at local time-of-day `time_us`."""
        j = bisect_right(self._bounds, time_us)
        k = j >> 1
        if j & 1:  # inside period k
            return self._done_before[k] + time_us - self._bounds[j - 1]
        return self._done_in_gap[k]

    def _position(self, local: int) -> int:
        """F(local): working µs from the range start up to a local instant."""
        ordinal, time_us = divmod(local, _US_PER_DAY)
        return self._position_on(ordinal + _EPOCH_ORDINAL, time_us)

    def _position_on(self, ordinal: int, time_us: int) -> int:
        """F at `time_us` into day `ordinal`; the hot path reads two precomputed lists."""
        i = ordinal - self._lo
        if 0 <= i < self._n:
            position = self._before[i] * self._day_us
            return position + self._done_in_day(time_us) if self._is_work[i] else position
        position = self._workdays_before(ordinal) * self._day_us
        return position + self._done_in_day(time_us) if (ordinal - 1) % 7 < 5 else position

    def _local_after(self, local: int, ordinal: int, amount: int) -> int:
        """The earliest local instant whose work position is `amount` (> 0) past `local`'s.

        "Earliest" is what keeps a deadline at a period's end instead of the next start.
        """
        time_us = local - (ordinal - _EPOCH_ORDINAL) * _US_PER_DAY
        target = self._position_on(ordinal, time_us) + amount
        # Split the target into (working day, work done within it) with the remainder in
        # (0, day] so that a full day's work ends on that day rather than the next.
        count, rest = divmod(target - 1, self._day_us)
        rest += 1
        k = bisect_left(self._done_at_end, rest)
        due_time = self._starts[k] + rest - self._done_before[k]
        return (self._workday_ordinal(count) - _EPOCH_ORDINAL) * _US_PER_DAY + due_time

    # -- time zone -----------------------------------------------------------------------

    def _to_local_us(self, moment: datetime) -> int:
        utc_us = (moment - _UTC_EPOCH) // _ONE_US
        if self._offset_us is not None and self._fixed_lo_us <= utc_us <= self._fixed_hi_us:
            return utc_us + self._offset_us
        wall = moment.astimezone(self._zone).replace(tzinfo=None)
        return (wall - _NAIVE_EPOCH) // _ONE_US

    def _to_utc(self, local: int) -> datetime:
        """Local wall-clock µs to an aware UTC datetime.

        Under a fixed offset this is exact. Otherwise zoneinfo resolves it; a wall time in a
        DST gap or fold (never inside office hours in practice) takes the first reading.
        """
        if self._offset_us is not None:
            utc_us = local - self._offset_us
            if self._fixed_lo_us <= utc_us <= self._fixed_hi_us:
                return _UTC_EPOCH + timedelta(0, 0, utc_us)  # positional: faster
        wall = _NAIVE_EPOCH + timedelta(microseconds=local)
        return wall.replace(tzinfo=self._zone).astimezone(UTC)

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(tz={self.tz!r}, years={self.first_year}–{self.last_year}, "
            f"hours_per_day={self.working_hours_per_day:g})"
        )
