"""Deadlines on the official Chinese working calendar (pure: no database, no Django)."""

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chengguan.core.calendar_sources import day_kinds, estimated_year, official_year
from chengguan.core.workcal import DEFAULT_PERIODS, DayKind, Due, WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CSV_PATH = Path(__file__).resolve().parents[3] / "data" / "cn_holidays_2025_2027.csv"


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def official_overrides(*years: int) -> dict[date, DayKind]:
    overrides: dict[date, DayKind] = {}
    for year in years:
        entries = official_year(year)
        assert entries is not None, f"chinesecalendar has no data for {year}"
        overrides |= day_kinds(entries)
    return overrides


# The production shape: official years, plus an estimate for the year not yet published.
CAL = WorkCalendar(
    overrides=official_overrides(2025, 2026) | day_kinds(estimated_year(2027)),
    provisional_years=[2027],
)


def due_local(start: datetime, **amount) -> datetime:
    return CAL.add_working_time(start, **amount).at.astimezone(SHANGHAI)


def csv_rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- the official 2026 arrangement -----------------------------------------------------


def test_friday_evening_task_before_spring_festival_is_due_on_the_make_up_saturday():
    assert due_local(local(2026, 2, 13, 17), hours=2) == local(2026, 2, 14, 9, 30)


def test_spring_festival_holidays_are_skipped():
    # Saturday 14 Feb is worked; 15–23 Feb are off; Tuesday 24 Feb is the next working day.
    assert due_local(local(2026, 2, 14, 17), hours=2) == local(2026, 2, 24, 9, 30)
    assert CAL.working_time_between(local(2026, 2, 14, 18), local(2026, 2, 24, 8, 30)) == (
        timedelta(0)
    )


def test_make_up_saturday_after_spring_festival_counts_as_a_working_day():
    assert due_local(local(2026, 2, 27, 17), hours=2) == local(2026, 2, 28, 9, 30)
    assert due_local(local(2026, 2, 27, 10), days=1) == local(2026, 2, 28, 18)


@pytest.mark.parametrize(
    "make_up_day", [date(2026, 2, 14), date(2026, 2, 28), date(2026, 10, 10), date(2026, 9, 20)]
)
def test_make_up_weekend_days_are_working_days(make_up_day):
    assert make_up_day.weekday() >= 5
    assert CAL.is_workday(make_up_day)


def test_golden_week_task_is_not_overdue_during_the_holiday():
    due = CAL.add_working_time(local(2026, 9, 30, 17), hours=4)
    # 1 h on Wednesday 30 Sep, 1–7 Oct off, then 3 h on Thursday 8 Oct.
    assert due.at == local(2026, 10, 8, 11, 30)
    assert due.at > local(2026, 10, 3, 23, 59)
    assert not due.provisional


def test_golden_week_make_up_days_before_and_after_are_worked():
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday before
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday after
    assert not CAL.is_workday(date(2026, 10, 7))


def test_every_day_of_2025_and_2026_matches_the_published_notices():
    overrides = {date.fromisoformat(row["date"]): row["kind"] == "workday" for row in csv_rows()}
    cal = WorkCalendar(overrides=official_overrides(2025, 2026))
    day = date(2025, 1, 1)
    mismatches = []
    while day <= date(2026, 12, 31):
        expected = overrides.get(day, day.weekday() < 5)
        if cal.is_workday(day) != expected:
            mismatches.append(day)
        day += timedelta(days=1)
    assert mismatches == []


def test_csv_lists_only_known_kinds():
    assert {row["kind"] for row in csv_rows()} == {"holiday", "workday"}


# -- days: the starting day does not count ---------------------------------------------


@pytest.mark.parametrize("hour", [0, 8, 12, 17, 23])
def test_one_working_day_ends_at_close_of_the_next_working_day_whatever_the_start_time(hour):
    assert due_local(local(2025, 3, 3, hour), days=1) == local(2025, 3, 4, 18)


def test_days_from_a_weekend_start_count_from_monday():
    assert due_local(local(2025, 3, 8, 10), days=1) == local(2025, 3, 10, 18)


def test_seven_working_days_across_golden_week():
    # From Monday 28 Sep: 29, 30 Sep, (1–7 Oct off), 8, 9, 10 (make-up Sat), 12, 13 Oct.
    assert due_local(local(2026, 9, 28, 15), days=7) == local(2026, 10, 13, 18)


def test_days_deadline_is_the_end_of_the_last_office_period():
    cal = WorkCalendar(overrides={}, periods=[(time(9), time(17, 30))])
    due = cal.add_working_time(local(2025, 3, 3, 10), days=2)
    assert due.at == local(2025, 3, 5, 17, 30)


# -- hours -------------------------------------------------------------------------------


def test_deadline_landing_on_a_period_end_stays_there():
    assert due_local(local(2025, 3, 6, 17), hours=1) == local(2025, 3, 6, 18)
    assert due_local(local(2025, 3, 6, 11), hours=1) == local(2025, 3, 6, 12)
    assert due_local(local(2025, 3, 6, 8, 30), hours=8) == local(2025, 3, 6, 18)


def test_lunch_break_is_not_working_time():
    assert due_local(local(2025, 3, 6, 11, 30), hours=1) == local(2025, 3, 6, 14)
    assert due_local(local(2025, 3, 6, 12, 30), hours=1) == local(2025, 3, 6, 14, 30)


def test_ordinary_weekend_is_skipped():
    assert due_local(local(2025, 3, 7, 17), hours=2) == local(2025, 3, 10, 9, 30)


def test_start_before_office_hours_counts_from_opening():
    assert due_local(local(2025, 3, 6, 7), hours=1) == local(2025, 3, 6, 9, 30)


def test_start_after_office_hours_counts_from_next_morning():
    assert due_local(local(2025, 3, 6, 20), hours=1) == local(2025, 3, 7, 9, 30)
    assert due_local(local(2025, 3, 6, 18), hours=8) == local(2025, 3, 7, 18)


def test_start_on_a_holiday_counts_from_the_next_working_day():
    assert due_local(local(2026, 10, 2, 10), hours=1) == local(2026, 10, 8, 9, 30)


def test_fractional_hours():
    assert due_local(local(2025, 3, 6, 9), hours=0.25) == local(2025, 3, 6, 9, 15)


def test_zero_hours_is_due_at_the_start():
    start = local(2025, 3, 8, 3, 17)
    assert CAL.add_working_time(start, hours=0).at == start


def test_due_is_utc_whatever_zone_the_start_is_given_in():
    in_utc = local(2026, 2, 13, 17).astimezone(UTC)
    due = CAL.add_working_time(in_utc, hours=2)
    assert due.at.tzinfo is UTC
    assert due.at == datetime(2026, 2, 14, 1, 30, tzinfo=UTC)
    assert due == Due(at=local(2026, 2, 14, 9, 30), provisional=False)


def test_custom_office_periods():
    cal = WorkCalendar(overrides={}, periods=[(time(9), time(17))])
    assert cal.working_hours_per_day == 8
    assert cal.add_working_time(local(2025, 3, 6, 16), hours=2).at == local(2025, 3, 7, 10)


def test_default_office_day_is_eight_hours():
    assert WorkCalendar(overrides={}).working_hours_per_day == 8


def test_zone_with_daylight_saving_time_is_converted_correctly():
    berlin = ZoneInfo("Europe/Berlin")
    cal = WorkCalendar(overrides={}, tz="Europe/Berlin")
    # Clocks go forward on Sunday 30 March 2025; office hours are local wall-clock hours.
    due = cal.add_working_time(datetime(2025, 3, 28, 17, tzinfo=berlin), hours=2)
    assert due.at == datetime(2025, 3, 31, 9, 30, tzinfo=berlin)
    assert due.at.utcoffset() == timedelta(0)


# -- provisional deadlines ---------------------------------------------------------------


def test_deadline_within_an_officially_published_year_is_final():
    assert not CAL.add_working_time(local(2026, 12, 30, 10), days=1).provisional
    assert not CAL.add_working_time(local(2026, 6, 1, 10), hours=40).provisional


def test_deadline_reaching_into_an_unpublished_year_is_provisional():
    due = CAL.add_working_time(local(2026, 12, 31, 17), hours=2)
    assert due.provisional
    # 1 Jan 2027 (Friday) is an estimated holiday, so the deadline is Monday 4 Jan.
    assert due.at == local(2027, 1, 4, 9, 30)
    assert CAL.add_working_time(local(2026, 12, 30, 10), days=2).provisional


def test_deadline_starting_in_an_unpublished_year_is_provisional():
    assert CAL.add_working_time(local(2027, 3, 1, 10), hours=1).provisional


def test_dates_beyond_the_calendar_range_are_plain_weekdays_and_provisional():
    cal = WorkCalendar(overrides=official_overrides(2026), first_year=2026, last_year=2026)
    due = cal.add_working_time(local(2026, 12, 31, 17), hours=10)
    # 1 h on 31 Dec, all of Friday 1 Jan 2027 (no overrides known there), 1 h on Monday.
    assert due.at == local(2027, 1, 4, 9, 30)
    assert due.provisional
    assert cal.is_workday(date(2027, 1, 1))  # Friday; no overrides are known there
    assert not cal.is_workday(date(2027, 1, 2))  # Saturday
    assert not cal.is_workday(date(2019, 12, 29))  # Sunday, before the range
    far = cal.add_working_time(local(2100, 1, 1, 10), days=1)  # a Friday
    assert far.at == local(2100, 1, 4, 18)
    assert far.provisional
    before = cal.add_working_time(local(2025, 10, 1, 10), hours=1)  # outside: plain Wednesday
    assert before.at == local(2025, 10, 1, 11)
    assert before.provisional


def test_calendar_range_spanning_years_counts_working_time_across_its_edges():
    cal = WorkCalendar(overrides={}, first_year=2026, last_year=2026)
    start, end = local(2025, 12, 1, 8, 30), local(2027, 2, 1, 8, 30)
    weekdays = sum(
        1
        for n in range((end.date() - start.date()).days)
        if (start.date() + timedelta(days=n)).weekday() < 5
    )
    assert cal.working_time_between(start, end) == timedelta(hours=8 * weekdays)


# -- working time between two instants ---------------------------------------------------


def test_working_time_across_a_weekend():
    assert CAL.working_time_between(local(2025, 3, 7, 17), local(2025, 3, 10, 9, 30)) == (
        timedelta(hours=2)
    )


def test_working_time_across_lunch():
    # 11:00–12:00 and 13:30–14:30; the 90-minute lunch break does not count.
    assert CAL.working_time_between(local(2025, 3, 6, 11), local(2025, 3, 6, 14, 30)) == (
        timedelta(hours=2)
    )


def test_working_time_is_negative_when_reversed():
    assert CAL.working_time_between(local(2025, 3, 6, 14, 30), local(2025, 3, 6, 11)) == (
        timedelta(hours=-2)
    )


def test_no_working_time_passes_outside_office_hours():
    assert CAL.working_time_between(local(2025, 3, 6, 18), local(2025, 3, 7, 8)) == timedelta(0)


@pytest.mark.parametrize("hours", [0.5, 1, 3.5, 4, 8, 17.25, 40, 200])
@pytest.mark.parametrize(
    "start", [local(2025, 3, 6, 8, 30), local(2025, 3, 6, 11, 59), local(2026, 2, 13, 17, 45)]
)
def test_working_time_between_start_and_due_is_the_allowance(start, hours):
    due = CAL.add_working_time(start, hours=hours)
    assert CAL.working_time_between(start, due.at) == timedelta(hours=hours)


# -- properties against an independent period-walking reference --------------------------


def next_office_instant(moment: datetime) -> datetime:
    """The first instant at or after `moment` that is inside office time (local)."""
    t = moment.astimezone(SHANGHAI)
    day = t.date()
    while True:
        if CAL.is_workday(day):
            for start, end in DEFAULT_PERIODS:
                opens = datetime.combine(day, start, SHANGHAI)
                closes = datetime.combine(day, end, SHANGHAI)
                if t < closes:
                    return max(t, opens)
        day += timedelta(days=1)
        t = datetime.combine(day, time(0), SHANGHAI)


def reference_add_hours(start: datetime, hours: float) -> datetime:
    """Walk office periods one by one, consuming the allowance (slow but obvious)."""
    remaining = timedelta(hours=hours)
    t = start.astimezone(SHANGHAI)
    if not remaining:
        return t
    day = t.date()
    while True:
        if CAL.is_workday(day):
            for start_time, end_time in DEFAULT_PERIODS:
                opens = max(t, datetime.combine(day, start_time, SHANGHAI))
                closes = datetime.combine(day, end_time, SHANGHAI)
                if opens < closes:
                    if remaining <= closes - opens:
                        return opens + remaining
                    remaining -= closes - opens
        day += timedelta(days=1)
        t = datetime.combine(day, time(0), SHANGHAI)


starts_2025_2026 = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31, 23, 59, 59)
).map(lambda naive: naive.replace(tzinfo=SHANGHAI))
quarter_hours = st.integers(min_value=0, max_value=800).map(lambda q: q / 4)


@settings(max_examples=300)
@given(start=starts_2025_2026, hours=quarter_hours)
def test_office_time_from_normalised_start_to_due_is_the_allowance(start, hours):
    due = CAL.add_working_time(start, hours=hours).at
    if hours:
        assert CAL.working_time_between(next_office_instant(start), due) == timedelta(hours=hours)
    assert due == reference_add_hours(start, hours)
    assert due >= start


@settings(max_examples=300)
@given(start=starts_2025_2026, a=quarter_hours, b=quarter_hours)
def test_more_hours_never_give_an_earlier_due(start, a, b):
    fewer, more = sorted((a, b))
    assert CAL.add_working_time(start, hours=fewer).at <= CAL.add_working_time(start, hours=more).at


@settings(max_examples=200)
@given(start=starts_2025_2026, days=st.integers(min_value=1, max_value=30))
def test_days_deadline_closes_the_nth_working_day_after_the_start_date(start, days):
    due = CAL.add_working_time(start, days=days).at.astimezone(SHANGHAI)
    assert due.time() == time(18)
    start_day = start.astimezone(SHANGHAI).date()
    counted = [
        start_day + timedelta(days=n)
        for n in range(1, (due.date() - start_day).days + 1)
        if CAL.is_workday(start_day + timedelta(days=n))
    ]
    assert len(counted) == days
    assert counted[-1] == due.date()


# -- calendar sources --------------------------------------------------------------------


def test_estimate_for_2027_marks_new_year_and_national_day_off():
    estimate = estimated_year(2027)
    assert estimate[date(2027, 1, 1)] == (DayKind.HOLIDAY, "元旦")
    assert estimate[date(2027, 10, 1)][0] is DayKind.HOLIDAY
    assert all(kind is DayKind.HOLIDAY for kind, _ in estimate.values())


def test_no_official_arrangement_for_2027_yet():
    assert official_year(2027) is None


def test_official_2026_has_make_up_day_and_chinese_names():
    official = official_year(2026)
    assert official is not None
    assert official[date(2026, 2, 14)] == (DayKind.WORKDAY, "春节")
    assert official[date(2026, 2, 17)] == (DayKind.HOLIDAY, "春节")
    assert official[date(2026, 10, 1)] == (DayKind.HOLIDAY, "国庆节")


def test_official_2026_agrees_with_the_csv_of_published_notices():
    from_csv = {
        date.fromisoformat(row["date"]): DayKind(row["kind"])
        for row in csv_rows()
        if row["date"].startswith("2026")
    }
    assert day_kinds(official_year(2026) or {}) == from_csv


# -- bad input ---------------------------------------------------------------------------


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_time(datetime(2025, 3, 6, 9), hours=1)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.working_time_between(datetime(2025, 3, 6, 9), local(2025, 3, 6, 10))


@pytest.mark.parametrize("amount", [{}, {"hours": 1, "days": 1}])
def test_exactly_one_of_hours_or_days_is_required(amount):
    with pytest.raises(ValueError, match="exactly one"):
        CAL.add_working_time(local(2025, 3, 6, 9), **amount)


@pytest.mark.parametrize("hours", [-0.25, float("nan"), float("inf")])
def test_negative_or_non_finite_hours_are_refused(hours):
    with pytest.raises(ValueError, match="hours"):
        CAL.add_working_time(local(2025, 3, 6, 9), hours=hours)


@pytest.mark.parametrize("days", [0, -1, 1.5, True])
def test_days_must_be_a_positive_integer(days):
    with pytest.raises(ValueError, match="days"):
        CAL.add_working_time(local(2025, 3, 6, 9), days=days)


@pytest.mark.parametrize(
    "periods",
    [
        [],
        [(time(12), time(8, 30))],
        [(time(9), time(9))],
        [(time(13, 30), time(18)), (time(8, 30), time(12))],
        [(time(8, 30), time(14)), (time(13, 30), time(18))],
        [(time(8, 30),)],
        [("08:30", "12:00")],
    ],
    ids=["empty", "reversed", "zero-length", "unsorted", "overlapping", "not-a-pair", "strings"],
)
def test_bad_office_periods_are_refused(periods):
    with pytest.raises(ValueError, match="period"):
        WorkCalendar(overrides={}, periods=periods)


def test_touching_office_periods_are_allowed():
    cal = WorkCalendar(overrides={}, periods=[(time(9), time(12)), (time(12), time(17))])
    assert cal.add_working_time(local(2025, 3, 6, 11), hours=2).at == local(2025, 3, 6, 13)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        WorkCalendar(overrides={}, tz="Asia/Nowhere")


def test_override_outside_the_calendar_range_is_refused():
    with pytest.raises(ValueError, match="outside the calendar range"):
        WorkCalendar(overrides={date(2019, 10, 1): DayKind.HOLIDAY}, first_year=2020)
