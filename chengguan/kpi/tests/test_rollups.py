"""Roll-ups of the case flow: a hand-counted day in 上街区 rebuilt from the cases, twice."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Sum

from chengguan.cases.domain.workflow import Action
from chengguan.cases.models import Case, Category
from chengguan.cases.services import case_act, case_report
from chengguan.kpi.models import DailyRollup, HexRollup, OpenSnapshot
from chengguan.kpi.rollups import (
    open_snapshot_refresh,
    rollup_day,
    rollups_rebuild,
    rollups_sweep,
)
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

UNIT = "410106"  # 上街区: the only unit with grids in the test database
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)  # a Wednesday, a working day


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return local(day.year, day.month, day.day, hour, minute)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def point():
    grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    p = grid.geometry.representative_point()
    return p.x, p.y


@pytest.fixture
def garbage():
    return Category.objects.get(kind="matter", code="06010")  # 暴露垃圾


@pytest.fixture
def trading():
    return Category.objects.get(kind="matter", code="09006")  # 街面秩序类


@pytest.fixture
def people(user_factory):
    sanitation = Agency.objects.get(code=f"{UNIT}-DEPT-SAN")

    class People:
        inspector = user_factory("inspector", region=UNIT)
        operator = user_factory("operator", region="4101")
        shift_leader = user_factory("shift_leader", region="4101")
        dispatcher = user_factory("dispatcher", region="4101")
        handler = user_factory("handler", region=UNIT, agency=sanitation)

    People.sanitation = sanitation
    return People


def report(people, category, point, when, *, by_inspector=False):
    return case_report(
        actor=people.inspector if by_inspector else people.operator,
        category=category,
        lon=point[0],
        lat=point[1],
        description="路边成堆垃圾",
        channel="inspector" if by_inspector else "hotline",
        at=when,
    )


def act(case, action, who, when, **kw):
    case.refresh_from_db()
    return case_act(
        case_id=case.pk, action=action, actor=who, expected_version=case.version, at=when, **kw
    )


@pytest.fixture
def day_of_cases(people, garbage, trading, point):
    """Five cases around DAY, counted by hand:

    - c1 hotline, garbage: reported, registered, dispatched, reworked once, closed on time;
    - c2 inspector, garbage: reported (already verified), registered, left open;
    - c3 hotline, trading: reported, left waiting for an inspector;
    - c4 hotline, garbage: reported the evening before, registered on DAY, left open;
    - c5 hotline, garbage: verified three hours after a 2-working-hour limit, then closed
      the same day: closed, not on time.
    """
    p = people
    c1 = report(p, garbage, point, at(9))
    act(c1, Action.VERIFY, p.inspector, at(9, 30))
    act(c1, Action.REGISTER, p.shift_leader, at(9, 40))
    act(c1, Action.DISPATCH, p.dispatcher, at(9, 50), agency_id=p.sanitation.pk)
    act(c1, Action.HANDLE, p.handler, at(10, 30), feedback="已清运")
    act(c1, Action.CHECK_FAIL, p.inspector, at(11), reason="仍有残留")
    act(c1, Action.HANDLE, p.handler, at(12), feedback="已清理干净")
    act(c1, Action.CHECK_PASS, p.inspector, at(12, 30))
    act(c1, Action.CLOSE, p.shift_leader, at(13))

    c2 = report(p, garbage, point, at(10), by_inspector=True)
    act(c2, Action.REGISTER, p.shift_leader, at(10, 10))

    c3 = report(p, trading, point, at(11))

    c4 = report(p, garbage, point, at(22, 30, DAY - timedelta(days=1)))
    act(c4, Action.VERIFY, p.inspector, at(23, 0, DAY - timedelta(days=1)))
    act(c4, Action.REGISTER, p.shift_leader, at(8, 30))

    c5 = report(p, garbage, point, at(9, 5))
    act(c5, Action.VERIFY, p.inspector, at(14))  # due 11:05: late
    act(c5, Action.REGISTER, p.shift_leader, at(14, 10))
    act(c5, Action.DISPATCH, p.dispatcher, at(14, 20), agency_id=p.sanitation.pk)
    act(c5, Action.HANDLE, p.handler, at(15), feedback="已清运")
    act(c5, Action.CHECK_PASS, p.inspector, at(15, 30))
    act(c5, Action.CLOSE, p.shift_leader, at(16))
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5}


def totals(day: date) -> dict:
    return DailyRollup.objects.filter(day=day).aggregate(
        reported=Sum("reported"),
        registered=Sum("registered"),
        closed=Sum("closed"),
        closed_on_time=Sum("closed_on_time"),
        reworked=Sum("reworked"),
    )


def by(field: str, measure: str, day: date = DAY) -> dict:
    rows = DailyRollup.objects.filter(day=day).values(field).annotate(n=Sum(measure))
    return {r[field]: r["n"] for r in rows if r["n"]}


def test_a_day_is_counted_as_by_hand(day_of_cases, people):
    written = rollup_day(DAY)
    assert written == DailyRollup.objects.filter(day=DAY).count() > 0
    assert totals(DAY) == {
        "reported": 4,  # c1, c2, c3, c5 (c4 was reported the day before)
        "registered": 4,  # c1, c2, c4, c5
        "closed": 2,  # c1, c5
        "closed_on_time": 1,  # c1: c5's verification ran late
        "reworked": 1,  # c1's failed check
    }
    assert by("channel", "reported") == {"hotline": 3, "inspector": 1}
    assert by("category_code", "reported") == {"06010": 3, "09006": 1}
    assert by("category_kind", "reported") == {"matter": 4}
    assert by("region_code", "reported") == {UNIT: 4}
    assert by("agency_id", "closed") == {people.sanitation.pk: 2}
    assert by("agency_id", "reported") == {people.sanitation.pk: 2, None: 2}
    street = Case.objects.get(pk=day_of_cases["c1"].pk).street_code
    assert len(street) == 9 and by("street_code", "reported") == {street: 4}

    rollup_day(DAY - timedelta(days=1))
    assert totals(DAY - timedelta(days=1))["reported"] == 1  # c4
    assert totals(DAY - timedelta(days=1))["registered"] == 0


def test_rebuilding_a_day_gives_the_same_rows(day_of_cases):
    def snapshot():
        return sorted(
            DailyRollup.objects.filter(day=DAY).values_list(
                "region_code",
                "street_code",
                "category_code",
                "category_kind",
                "channel",
                "agency_id",
                "reported",
                "registered",
                "closed",
                "closed_on_time",
                "reworked",
            ),
            key=str,
        )

    def hexes():
        return sorted(
            HexRollup.objects.filter(day=DAY).values_list("cell", "region_code", "reported")
        )

    rollup_day(DAY)
    first, first_hexes = snapshot(), hexes()
    pks = set(DailyRollup.objects.values_list("pk", flat=True))
    rollup_day(DAY)
    assert snapshot() == first and hexes() == first_hexes
    assert DailyRollup.objects.filter(day=DAY).count() == len(first)
    # Rows whose counts did not change stay as they were (no churn every minute).
    assert set(DailyRollup.objects.values_list("pk", flat=True)) == pks
    # One more report changes one row only.
    c3 = day_of_cases["c3"]
    case_report(
        actor=c3.reporter,
        category=c3.category,
        lon=c3.lon,
        lat=c3.lat,
        description="又一处",
        channel="hotline",
        at=at(18),
    )
    rollup_day(DAY)
    assert len(pks - set(DailyRollup.objects.values_list("pk", flat=True))) == 1
    assert totals(DAY)["reported"] == 5
    assert sum(HexRollup.objects.filter(day=DAY).values_list("reported", flat=True)) == 5


def test_the_hex_cells_add_up_to_the_days_reports(day_of_cases, point):
    rollup_day(DAY)
    cells = list(HexRollup.objects.filter(day=DAY))
    assert sum(c.reported for c in cells) == totals(DAY)["reported"] == 4
    assert {c.cell for c in cells} == {h3.latlng_to_cell(point[1], point[0], 8)}
    assert {c.region_code for c in cells} == {UNIT}


def test_a_flag_of_overdue_at_closing_is_not_on_time(day_of_cases):
    Case.objects.filter(pk=day_of_cases["c1"].pk).update(overdue=True)
    rollup_day(DAY)
    assert totals(DAY)["closed"] == 2 and totals(DAY)["closed_on_time"] == 0


def test_an_empty_day_clears_its_rows(day_of_cases):
    rollup_day(DAY)
    Case.objects.all().delete()
    assert rollup_day(DAY) == 0
    assert not DailyRollup.objects.filter(day=DAY).exists()
    assert not HexRollup.objects.filter(day=DAY).exists()


def test_open_snapshot_counts_open_and_overdue_per_street(day_of_cases):
    Case.objects.filter(pk=day_of_cases["c3"].pk).update(overdue=True)
    Case.objects.filter(pk=day_of_cases["c1"].pk).update(overdue=True)  # closed: not counted
    assert open_snapshot_refresh() == 1
    row = OpenSnapshot.objects.get()
    assert (row.region_code, row.open, row.overdue) == (UNIT, 3, 1)  # c2, c3, c4; c3
    assert row.street_code == day_of_cases["c3"].street_code
    act(
        day_of_cases["c3"],
        Action.VOID,
        Case.objects.get(pk=day_of_cases["c3"].pk).reporter,
        at(17),
        reason="重复",
    )
    open_snapshot_refresh()
    assert OpenSnapshot.objects.values_list("open", "overdue").get() == (2, 0)


def test_the_sweep_rolls_up_today_and_yesterday_until_one_oclock(day_of_cases):
    after_midnight = at(0, 30, DAY + timedelta(days=1))
    counts = rollups_sweep(now=after_midnight)
    assert set(counts) == {"today", "yesterday", "open"}
    assert totals(DAY)["reported"] == 4 and counts["open"] == 1
    # After one o'clock yesterday is rebuilt once more in this process, then left alone.
    later = at(1, 30, DAY + timedelta(days=1))
    assert "yesterday" in rollups_sweep(now=later)
    assert "yesterday" not in rollups_sweep(now=later + timedelta(minutes=1))


def test_rebuild_covers_a_range_of_days(day_of_cases):
    rows = rollups_rebuild(start=DAY - timedelta(days=2), end=DAY)
    assert rows == DailyRollup.objects.count()
    assert totals(DAY - timedelta(days=1))["reported"] == 1
    assert totals(DAY)["reported"] == 4
    assert OpenSnapshot.objects.exists()
    with pytest.raises(ValueError):
        rollups_rebuild(start=DAY, end=DAY - timedelta(days=1))


def test_the_rebuild_command(day_of_cases, capsys):
    DailyRollup.objects.all().delete()
    call_command(
        "rollups_rebuild", "--from", (DAY - timedelta(days=1)).isoformat(), "--to", DAY.isoformat()
    )
    assert totals(DAY)["reported"] == 4
    assert "2 天" in capsys.readouterr().out
    call_command("rollups_rebuild", "--days", "3")  # ending today
    assert totals(DAY)["reported"] == 4  # rebuilt or untouched, the same
