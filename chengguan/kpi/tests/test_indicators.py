"""Indicator formulas against hand-computed figures, grade bands at their edges, and the
satisfaction combination. Pure: no database."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from chengguan.core.errors import DomainError
from chengguan.kpi.domain import indicators as ind
from chengguan.kpi.domain import satisfaction as sat

D = Decimal
DATA = Path(__file__).resolve().parents[3] / "data" / "evaluation_indicators.csv"


def csv_weight(text: str) -> Decimal | None:
    """"40% (code in EV1 uses 0.1 …)" → 40; blank → None."""
    head = (text or "").strip().split("%")[0].strip()
    return Decimal(head) if head else None


def test_every_indicator_of_the_csv_is_defined_with_its_weight():
    names = {
        "区域": ind.ObjectKind.AREA,
        "专业部门": ind.ObjectKind.DEPARTMENT,
        "监督员": ind.ObjectKind.INSPECTOR,
        "受理员": ind.ObjectKind.OPERATOR,
        "值班长": ind.ObjectKind.SHIFT_LEADER,
        "派遣员": ind.ObjectKind.DISPATCHER,
    }
    with DATA.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["object"].split("(")[0] in names]
    assert len(rows) == 22
    for row in rows:
        kind = names[row["object"].split("(")[0]]
        defined = {i.name: i for i in ind.BY_KIND[kind]}
        assert row["indicator"] in defined, row
        weight = csv_weight(row["weight_in_composite"])
        assert defined[row["indicator"]].weight == (weight or 0)


def test_weights_of_each_object_sum_to_100():
    for kind in ind.ObjectKind:
        assert sum(i.weight for i in ind.BY_KIND[kind]) == 100, kind


def test_an_area_scored_by_hand():
    # 上街区-like month: 60 grids, 150 registered (2.5 per grid → 90 in 一类), 30 public
    # reports (20 % → 80), 135 closed (90 %), 120 on time (80 %).
    area = ind.BY_KIND[ind.ObjectKind.AREA]
    counts = {
        "public_reports": (30, 0),
        "registered": (150, 0),
        "public_report_rate": (30, 150),
        "closing_rate": (135, 150),
        "on_time_closing_rate": (120, 150),
    }
    measured = [ind.score(i, *counts[i.code], grids=60, area=1) for i in area]
    scores = {m.code: m.score for m in measured}
    assert scores == {
        "public_reports": None,
        "registered": D(90),
        "public_report_rate": D(80),
        "closing_rate": D(90),
        "on_time_closing_rate": D(80),
    }
    # (90×20 + 80×10 + 90×30 + 80×40) / 100 = 85.00 → B
    total = ind.composite(measured, ind.default_weights(ind.ObjectKind.AREA))
    assert total == D("85.00") and ind.grade(total) == "B"


def test_a_department_with_nothing_handled_is_scored_on_the_rest():
    dept = ind.BY_KIND[ind.ObjectKind.DEPARTMENT]
    counts = {
        "dispatched": (120, 0),  # ≤ 200 → 75
        "closing_rate": (100, 120),  # 83.33
        "on_time_handling_rate": (0, 0),  # nothing handled: not applicable
        "rework_rate": (12, 120),  # 10 % → 90
    }
    measured = [ind.score(i, *counts[i.code]) for i in dept]
    assert [m.score for m in measured] == [D(75), D("83.33"), None, D(90)]
    # (75×10 + 83.33×30 + 90×30) / 70 = 85.00
    assert ind.composite(measured, ind.default_weights(ind.ObjectKind.DEPARTMENT)) == D("85.00")


def test_the_operators_dispatch_indicators_do_not_apply_here():
    op = ind.BY_KIND[ind.ObjectKind.OPERATOR]
    measured = [ind.score(i, 1500, 0) for i in op]
    assert [m.score for m in measured] == [D(90), None, None]
    assert ind.composite(measured, ind.default_weights(ind.ObjectKind.OPERATOR)) == D(90)


@pytest.mark.parametrize(
    ("per_grid", "area", "expected"),
    [("0", 1, 100), ("0.01", 1, 90), ("2.99", 1, 90), ("3", 1, 75), ("8.99", 1, 40), ("9", 1, 0),
     ("0", 2, 100), ("3.99", 2, 90), ("4", 2, 75), ("9.99", 2, 40), ("10", 2, 0)],
)  # fmt: skip
def test_area_bands_at_their_edges(per_grid, area, expected):
    assert ind.area_band_score(D(per_grid), area) == expected


@pytest.mark.parametrize(
    ("count", "department", "volume"),
    [(0, 100, 0), (50, 100, 0), (51, 90, 0), (200, 75, 0), (300, 60, 0), (301, 60, 60),
     (500, 60, 60), (501, 40, 75), (1000, 40, 75), (1001, 0, 75), (1200, 0, 75), (1201, 0, 90),
     (2000, 0, 90), (2001, 0, 100)],
)  # fmt: skip
def test_count_bands_at_their_edges(count, department, volume):
    assert ind.department_band_score(count) == department
    assert ind.volume_band_score(count) == volume


@pytest.mark.parametrize(
    ("value", "expected"),
    [("100", "A"), ("90", "A"), ("89.99", "B"), ("75", "B"), ("74.99", "C"), ("60", "C"),
     ("59.99", "D"), ("40", "D"), ("39.99", "E"), ("0", "E")],
)  # fmt: skip
def test_grade_bands_at_their_edges(value, expected):
    assert ind.grade(D(value)) == expected


def test_a_city_sets_its_own_grade_bands():
    bands = ind.grades_parse("A:95,B:85,C:70,D:50")
    assert ind.grade(D(94.99), bands) == "B" and ind.grade(D(49), bands) == "E"
    assert ind.grade(None) == ""
    for bad in ("A:60,B:75", "A:x", "", "A:90,B:90"):
        with pytest.raises(DomainError):
            ind.grades_parse(bad)


def test_rates_refuse_impossible_counts():
    assert ind.rate(1, 3) == D("33.33") and ind.rate(2, 3) == D("66.67") and ind.rate(0, 0) is None
    with pytest.raises(ValueError):
        ind.rate(4, 3)


def test_area_classes():
    assert ind.area_class("金水区") == 1 and ind.area_class("郑东新区") == 1
    assert ind.area_class("中牟县") == 2 and ind.area_class("巩义市") == 2


def test_satisfaction_combines_what_is_there():
    # 10 ratings: 6 × 5, 2 × 4, 2 × 1 → mean 4.0 → 75.
    stars = {5: 6, 4: 2, 1: 2}
    assert sat.ratings_score(stars) == (10, D(75))
    assert sat.ratings_score({5: 4}) == (4, None)  # too few to say anything
    both = sat.combine(
        stars=stars, surveys=[(D(80), 100), (D(90), 300)], third_party=[D(70), D(80)]
    )
    # survey (80×100 + 90×300)/400 = 87.5; third party 75; (75×50 + 87.5×30 + 75×20)/100 = 78.75
    assert (both.ratings, both.survey, both.third_party, both.combined) == (
        D(75),
        D("87.50"),
        D(75),
        D("78.75"),
    )
    alone = sat.combine(stars={}, surveys=[(D(88), 50)])
    assert alone.combined == D(88) and alone.ratings is None
    assert sat.combine(stars={}).combined is None
