"""The evaluation computed on the database against hand counts: a small month of cases in
上街区 (the unit with grids in the test database), taken through the case services.

November 2026, cases C1–C6 (C7 in December):
- C1 hotline → verified → registered → dispatched (sanitation) → handled → checked → closed,
  every stage on time;
- C2 inspector's own report → registered → dispatched → handled → check fails (rework) →
  handled again → checked → closed, on time;
- C3 inspector's own report → registered → dispatched → handled three working days late (the
  sweep marks it overdue meanwhile) → checked → closed: closed, but not on time;
- C4 hotline → verified → registered → dispatched to sanitation, returned by it,
  dispatched to municipal: open;
- C5 hotline → verified → rejected (never registered);
- C6 hotline → verified → registered → merged into C4 as a duplicate.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chengguan.cases.domain.workflow import Action
from chengguan.cases.models import Category
from chengguan.cases.services import case_act, case_report
from chengguan.cases.sweeps import sweep
from chengguan.kpi.domain.indicators import BY_KIND, ObjectKind, Scoring
from chengguan.kpi.evaluation import evaluation_compute, evaluation_sweep
from chengguan.kpi.evaluation_selectors import indicator_cases
from chengguan.kpi.models import Evaluation, IndicatorValue, IndicatorWeight
from chengguan.org.models import Agency, Grid

pytestmark = pytest.mark.django_db

UNIT = "410106"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV = date(2026, 11, 1)
D = Decimal


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


class World:
    pass


def _act(case, action, who, at, **kw):
    case.refresh_from_db()
    return case_act(
        case_id=case.pk, action=action, actor=who, expected_version=case.version, at=at, **kw
    )


@pytest.fixture
def world(user_factory):
    w = World()
    w.grid = Grid.objects.filter(region_code=UNIT).order_by("code").first()
    p = w.grid.geometry.representative_point()
    w.point = (p.x, p.y)
    w.garbage = Category.objects.get(kind="matter", code="06010")
    w.sanitation = Agency.objects.get(code=f"{UNIT}-DEPT-SAN")
    w.municipal = Agency.objects.get(code=f"{UNIT}-DEPT-MUN")
    w.inspector = user_factory("inspector", region=UNIT)
    w.operator = user_factory("operator", region="4101")
    w.shift_leader = user_factory("shift_leader", region="4101")
    w.dispatcher = user_factory("dispatcher", region="4101")
    w.handler = user_factory("handler", region=UNIT, agency=w.sanitation)
    w.other_handler = user_factory("handler", region=UNIT, agency=w.municipal)
    return w


def _report(w, at, *, by_inspector=False):
    return case_report(
        actor=w.inspector if by_inspector else w.operator,
        category=w.garbage,
        lon=w.point[0],
        lat=w.point[1],
        description="路边成堆垃圾",
        channel="inspector" if by_inspector else "hotline",
        at=at,
    )


def _minutes(start, n):
    return start + timedelta(minutes=n)


def _to_dispatched(w, start, *, by_inspector=False):
    case = _report(w, start, by_inspector=by_inspector)
    if not by_inspector:
        _act(case, Action.VERIFY, w.inspector, _minutes(start, 30))
    _act(case, Action.REGISTER, w.shift_leader, _minutes(start, 40))
    _act(case, Action.DISPATCH, w.dispatcher, _minutes(start, 50), agency_id=w.sanitation.pk)
    return case


def _finish(w, case, at):
    _act(case, Action.CHECK_PASS, w.inspector, at)
    return _act(case, Action.CLOSE, w.shift_leader, _minutes(at, 10))


def build_month(w):
    """C1–C6 of the module docstring, on the working days of November 2026."""
    s = local(2026, 11, 3, 9, 0)  # a Tuesday
    c1 = _to_dispatched(w, s)
    _act(c1, Action.HANDLE, w.handler, _minutes(s, 90), feedback="已清运")
    c1 = _finish(w, c1, _minutes(s, 120))

    s = local(2026, 11, 4, 9, 0)
    c2 = _to_dispatched(w, s, by_inspector=True)
    _act(c2, Action.HANDLE, w.handler, _minutes(s, 90), feedback="已清运")
    _act(c2, Action.CHECK_FAIL, w.inspector, _minutes(s, 120), reason="未清理干净")
    _act(c2, Action.HANDLE, w.handler, _minutes(s, 150), feedback="已再次清运")
    c2 = _finish(w, c2, _minutes(s, 170))

    s = local(2026, 11, 5, 9, 0)
    c3 = _to_dispatched(w, s, by_inspector=True)
    sweep(now=local(2026, 11, 9, 9, 0))  # the handle clock (1 working day) ran out
    c3.refresh_from_db()
    assert c3.overdue
    _act(c3, Action.HANDLE, w.handler, local(2026, 11, 10, 9, 0), feedback="已清运")
    c3 = _finish(w, c3, local(2026, 11, 10, 10, 0))
    assert not c3.overdue  # the flag alone would call it on time: the clocks say otherwise

    s = local(2026, 11, 6, 9, 0)
    c4 = _to_dispatched(w, s)
    _act(c4, Action.RETURN, w.handler, _minutes(s, 60), reason="不属于本单位")
    _act(
        c4,
        Action.DISPATCH,
        w.dispatcher,
        _minutes(s, 70),
        agency_id=w.municipal.pk,
        reason="属市政设施",
    )

    s = local(2026, 11, 11, 9, 0)
    c5 = _report(w, s)
    _act(c5, Action.VERIFY, w.inspector, _minutes(s, 30))
    _act(c5, Action.REJECT, w.shift_leader, _minutes(s, 40), reason="不属于受理范围")

    s = local(2026, 11, 12, 9, 0)
    c6 = _report(w, s)
    _act(c6, Action.VERIFY, w.inspector, _minutes(s, 30))
    _act(c6, Action.REGISTER, w.shift_leader, _minutes(s, 40))
    c4.refresh_from_db()
    _act(c6, Action.MERGE, w.shift_leader, _minutes(s, 50), target_number=c4.number)
    w.cases = {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6}
    return w


def build_december(w):
    s = local(2026, 12, 1, 9, 0)
    c7 = _to_dispatched(w, s)
    w.cases["c7"] = c7


def values(period="month", start=NOV, kind=None, key=None) -> dict[str, IndicatorValue]:
    rows = IndicatorValue.objects.filter(period=period, period_start=start)
    if kind:
        rows = rows.filter(object_kind=kind)
    if key:
        rows = rows.filter(object_key=key)
    return {v.indicator: v for v in rows}


def counts(found: dict[str, IndicatorValue]) -> dict[str, tuple[int, int, Decimal | None]]:
    return {code: (v.numerator, v.denominator, v.score) for code, v in found.items()}


def evaluation(kind, key, period="month", start=NOV) -> Evaluation:
    return Evaluation.objects.get(
        period=period, period_start=start, object_kind=kind, object_key=key
    )


@pytest.fixture
def month(world):
    build_month(world)
    evaluation_compute(period="month", period_start=NOV)
    return world


def test_area_counts_scores_grade_and_rank(month):
    w = month
    grids = Grid.objects.filter(region_code=UNIT).count()
    assert grids >= 2
    found = values(kind="area", key=UNIT)
    # registered C1 C2 C3 C4 C6; public (hotline) C1 C4 C6; closed C1 C2 C3; on time C1 C2
    assert counts(found) == {
        "public_reports": (3, 5, None),
        "registered": (5, grids, D(90)),  # well under 3 per grid: 90 (一类区域)
        "public_report_rate": (3, 5, D(40)),  # 60 % → 100 − 60
        "closing_rate": (3, 5, D(60)),
        "on_time_closing_rate": (2, 5, D(40)),
    }
    assert found["registered"].value == (D(5) / grids).quantize(D("0.01"))
    county = evaluation("area", UNIT)
    # (90×20 + 40×10 + 60×30 + 40×40) / 100
    assert county.composite == D("56.00") and county.grade == "D"
    assert county.rank == 1  # the only county with grids: the others have nothing to score
    assert county.object_name == "上街区" and county.region_code == UNIT
    assert Evaluation.objects.filter(object_kind="area", object_key="410102", rank=None).exists()

    street = evaluation("area", w.grid.street.code)
    assert street.composite == D("56.00") and street.region_code == UNIT
    assert counts(values(kind="area", key=w.grid.street.code))["closing_rate"] == (3, 5, D(60))
    # The other streets of 上街区 had no case: 0 per grid scores 100, and they rank first.
    others = Evaluation.objects.filter(
        period="month", period_start=NOV, object_kind="area", region_code=UNIT, composite=100
    ).exclude(object_key__in=[UNIT, street.object_key])
    assert others.exists() and set(others.values_list("rank", flat=True)) == {1}
    assert street.rank == others.count() + 1


def test_department_counts(month):
    w = month
    sanitation = values(kind="department", key=str(w.sanitation.pk))
    # dispatched to it and still its: C1 C2 C3; handled 4 times (C2 twice), C3 late;
    # reworked C2.
    assert counts(sanitation) == {
        "dispatched": (3, 0, D(100)),
        "closing_rate": (3, 3, D(100)),
        "on_time_handling_rate": (3, 4, D(75)),
        "rework_rate": (1, 3, D("66.67")),
    }
    e = evaluation("department", str(w.sanitation.pk))
    # (100×10 + 100×30 + 75×30 + 66.67×30) / 100 = 82.501
    assert e.composite == D("82.50") and e.grade == "B" and e.rank == 1
    assert e.object_name == w.sanitation.name and e.region_code == UNIT
    municipal = values(kind="department", key=str(w.municipal.pk))
    assert counts(municipal) == {
        "dispatched": (1, 0, D(100)),
        "closing_rate": (0, 1, D(0)),
        "on_time_handling_rate": (0, 0, None),  # nothing handled: not applicable
        "rework_rate": (0, 1, D(100)),
    }
    m = evaluation("department", str(w.municipal.pk))
    assert m.composite == D("57.14") and m.grade == "D" and m.rank == 2


def test_posts_counts(month):
    w = month
    dispatcher = values(kind="dispatcher", key=str(w.dispatcher.pk))
    # five dispatches (C4 twice); the first of C4 was returned
    assert counts(dispatcher) == {
        "dispatch_count": (5, 0, D(0)),
        "on_time_dispatch_rate": (5, 5, D(100)),
        "accurate_dispatch_rate": (4, 5, D(80)),
    }
    e = evaluation("dispatcher", str(w.dispatcher.pk))
    assert e.composite == D("72.00") and e.grade == "C" and e.rank == 1
    assert e.region_code == ""  # a city-level post

    shift_leader = values(kind="shift_leader", key=str(w.shift_leader.pk))
    assert counts(shift_leader) == {
        "on_time_register_rate": (5, 5, D(100)),
        "accurate_register_rate": (4, 5, D(80)),  # C6 turned out a duplicate
        "on_time_close_rate": (2, 3, D("66.67")),  # C3 ran late
    }
    assert evaluation("shift_leader", str(w.shift_leader.pk)).composite == D("80.33")

    inspector = values(kind="inspector", key=str(w.inspector.pk))
    assert counts(inspector) == {
        "valid_report_rate": (2, 2, D(100)),
        "missed_report_rate": (3, 5, D(40)),  # the public found 3 of 上街区's 5
        "on_time_verify_rate": (4, 4, D(100)),
        "on_time_check_rate": (4, 4, D(100)),
    }
    ie = evaluation("inspector", str(w.inspector.pk))
    assert ie.composite == D("88.00") and ie.grade == "B" and ie.region_code == UNIT

    operator = values(kind="operator", key=str(w.operator.pk))
    assert counts(operator) == {
        "accepted": (4, 0, D(0)),
        "on_time_verify_dispatch_rate": (0, 0, None),
        "on_time_check_dispatch_rate": (0, 0, None),
    }
    assert evaluation("operator", str(w.operator.pk)).grade == "E"
    assert not Evaluation.objects.filter(object_key=str(w.handler.pk)).exists()


def drill_count(v: IndicatorValue, part: str) -> int:
    return indicator_cases(
        period=v.period,
        start=v.period_start,
        kind=v.object_kind,
        key=v.object_key,
        indicator=v.indicator,
        part=part,
    ).count()


def test_the_drill_down_lists_exactly_the_stored_numbers(month):
    checked = 0
    for v in IndicatorValue.objects.filter(period="month", period_start=NOV):
        item = next(i for i in BY_KIND[ObjectKind(v.object_kind)] if i.code == v.indicator)
        assert drill_count(v, "numerator") == v.numerator, (v.object_name, v.indicator)
        if item.scoring is not Scoring.BANDS:
            assert drill_count(v, "denominator") == v.denominator, (v.object_name, v.indicator)
        checked += 1
    assert checked > 100
    # The numbers are not all zero: the drill-down lists real cases.
    closed = indicator_cases(
        period="month",
        start=NOV,
        kind="area",
        key=UNIT,
        indicator="on_time_closing_rate",
        part="numerator",
    )
    assert {c.number for c in closed} == {month.cases[k].number for k in ("c1", "c2")}


def test_rerun_gives_the_same_rows(month):
    def snapshot():
        return sorted(
            IndicatorValue.objects.filter(period="month", period_start=NOV).values_list(
                "object_kind", "object_key", "indicator", "numerator", "denominator", "score"
            )
        ), sorted(
            Evaluation.objects.filter(period="month", period_start=NOV).values_list(
                "object_kind", "object_key", "composite", "grade", "rank"
            )
        )

    before = snapshot()
    assert evaluation_compute(period="month", period_start=NOV) == len(before[1])
    assert snapshot() == before


def test_a_quarter_sums_its_months_counts(world):
    build_month(world)
    build_december(world)
    q4 = date(2026, 10, 1)
    for start in (date(2026, 10, 1), NOV, date(2026, 12, 1)):
        evaluation_compute(period="month", period_start=start)
    evaluation_compute(period="quarter", period_start=q4)
    count_indicators = {
        (i.object_kind.value, i.code)
        for i in (x for kind in ObjectKind for x in BY_KIND[kind])
        if i.scoring in (Scoring.BANDS, Scoring.NONE)
    }
    quarter = IndicatorValue.objects.filter(period="quarter", period_start=q4)
    compared = 0
    for v in quarter:
        if (v.object_kind, v.indicator) not in count_indicators:
            continue
        months = IndicatorValue.objects.filter(
            period="month",
            period_start__gte=q4,
            period_start__lt=date(2027, 1, 1),
            object_kind=v.object_kind,
            object_key=v.object_key,
            indicator=v.indicator,
        )
        assert v.numerator == sum(m.numerator for m in months), (v.object_name, v.indicator)
        compared += 1
    assert compared > 0
    assert values("quarter", q4, "area", UNIT)["registered"].numerator == 6  # C7 in December
    assert (
        values("quarter", q4, "dispatcher", str(world.dispatcher.pk))["dispatch_count"].numerator
        == 6
    )


def test_city_weights_replace_the_defaults(month):
    # Weigh only the closing rate of an area: the composite is that rate.
    for item in BY_KIND[ObjectKind.AREA]:
        IndicatorWeight.objects.create(
            object_kind="area",
            indicator=item.code,
            weight=D(100) if item.code == "closing_rate" else D(0),
        )
    evaluation_compute(period="month", period_start=NOV)
    assert evaluation("area", UNIT).composite == D("60.00")


def test_grade_bands_come_from_settings(month, settings):
    assert evaluation("area", UNIT).grade == "D"  # 56 with the default bands
    settings.CHENGGUAN = {**settings.CHENGGUAN, "EVALUATION_GRADES": "A:55,B:50,C:45,D:40"}
    evaluation_compute(period="month", period_start=NOV)
    assert evaluation("area", UNIT).grade == "A"


def test_sweep_recomputes_only_when_due(world):
    now = local(2026, 11, 27, 10, 0)
    first = evaluation_sweep(now=now)
    assert set(first) == {"month", "quarter"}
    assert evaluation_sweep(now=now + timedelta(minutes=5)) == {}
    again = evaluation_sweep(now=now + timedelta(minutes=16))
    assert set(again) == {"month", "quarter"}
    # The first days of December: December's figures, and November once more, once.
    dec = local(2026, 12, 2, 10, 0)
    assert set(evaluation_sweep(now=dec)) == {"month", "quarter", "previous_month"}
    assert evaluation_sweep(now=dec + timedelta(minutes=1)) == {}
    # January: the fourth quarter is recomputed once as well.
    jan = local(2027, 1, 1, 10, 0)
    assert set(evaluation_sweep(now=jan)) == {
        "month",
        "quarter",
        "previous_month",
        "previous_quarter",
    }
