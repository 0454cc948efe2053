"""Discretion benchmarks: the seed loads once and only for listed powers; the proposal picks
the tier the facts meet (lighter tier exactly on a bound) and never guesses; a fine outside
the tier's range needs a written reason and then legal review."""

from decimal import Decimal

import pytest

from chengguan.core.errors import DomainError
from chengguan.core.models import LedgerEntry
from chengguan.core.reference import read_text
from chengguan.core.tabular import csv_text_rows
from chengguan.powers.discretion import (
    Benchmark,
    Quantity,
    benchmark_row_parse,
    check_fine,
    propose_tier,
    quantities_parse,
)
from chengguan.powers.models import DiscretionBenchmark, Power
from chengguan.powers.services import benchmarks_load

AREA, COUNT = "单体面积㎡", "处数"
PLAIN = {"first_offence": False, "corrected": False, "harm": True}


def _bench(tier, quantities, fine_min, fine_max, condition="条件"):
    return Benchmark(
        tier=tier,
        condition=condition,
        quantities=quantities_parse(quantities, line=2),
        fine_min=None if fine_min is None else Decimal(fine_min),
        fine_max=None if fine_max is None else Decimal(fine_max),
        other_sanction="",
    )


# As seeded for ZF-JS-008 (DB1) and ZF-JS-003 (DB2).
DB1 = [
    _bench("minor", "单体面积㎡≤2 或 处数≤3", "0", "5000"),
    _bench("ordinary", "2<单体面积㎡≤10 或 3<处数≤10", "5000", "10000"),
    _bench("serious", "单体面积㎡>10 或 处数>10", "10000", "20000"),
]
DB2 = [
    _bench("minor", "处数≤2", "20", "30", condition="2处以下,逾期不改正"),
    _bench("ordinary", "2<处数≤4", "30", "40", condition="2-4处,逾期不改正"),
]


# --- parsing the seed ---------------------------------------------------------------------


def test_quantities_read_both_bounds_and_the_alternatives():
    assert quantities_parse("2<单体面积㎡≤10 或 3<处数≤10", line=2) == (
        Quantity(AREA, Decimal(2), Decimal(10)),
        Quantity(COUNT, Decimal(3), Decimal(10)),
    )
    assert quantities_parse("处数>10", line=2) == (Quantity(COUNT, Decimal(10), None),)
    assert quantities_parse("", line=2) == ()


@pytest.mark.parametrize("text", ["处数", "10<处数≤2", "1<处数>3", "面积约2"])
def test_a_quantity_without_a_clear_bound_is_refused(text):
    with pytest.raises(DomainError, match="第 7 行"):
        quantities_parse(text, line=7)


def test_a_row_fine_range_must_be_ordered_and_capped():
    row = {"power_code": "ZF-JS-008", "tier": "minor", "condition": "c", "source": "DB1"}
    assert benchmark_row_parse({**row, "fine_max": "5000"}, line=2).benchmark.fine_min == 0
    for bad in ({"fine_min": "50"}, {"fine_min": "50", "fine_max": "20"}, {"tier": "heavy"}):
        with pytest.raises(DomainError):
            benchmark_row_parse({**row, **bad}, line=2)
    with pytest.raises(DomainError, match="不予处罚"):
        benchmark_row_parse({**row, "tier": "no_penalty", "fine_max": "10"}, line=2)


# --- proposing a tier ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "tier"),
    [
        ({AREA: "0.5"}, "minor"),
        ({AREA: 2}, "minor"),
        ({AREA: "2.01"}, "ordinary"),
        ({AREA: 10}, "ordinary"),
        ({AREA: "10.01"}, "serious"),
        ({COUNT: 3}, "minor"),
        ({COUNT: 4}, "ordinary"),
        ({COUNT: 10}, "ordinary"),
        ({COUNT: 11}, "serious"),
        # Alternatives joined by 或: the most serious one met decides.
        ({AREA: 1, COUNT: 11}, "serious"),
        ({AREA: 12, COUNT: 1}, "serious"),
        ({AREA: 5, COUNT: 2}, "ordinary"),
    ],
)
def test_db1_edges_put_a_value_on_a_bound_in_the_lighter_tier(facts, tier):
    proposal = propose_tier(DB1, facts, **PLAIN)
    assert proposal.tier == tier
    chosen = next(b for b in DB1 if b.tier == tier)
    assert (proposal.fine_min, proposal.fine_max) == (chosen.fine_min, chosen.fine_max)


@pytest.mark.parametrize(
    ("count", "tier"), [(1, "minor"), (2, "minor"), (3, "ordinary"), (4, "ordinary")]
)
def test_db2_edges(count, tier):
    assert propose_tier(DB2, {COUNT: count}, **PLAIN).tier == tier


def test_facts_beyond_every_published_tier_get_no_proposal():
    """DB2's serious tier is cut off in the source: five places match nothing published."""
    proposal = propose_tier(DB2, {COUNT: 5}, **PLAIN)
    assert proposal.tier is None and proposal.fine_max is None
    assert "不在已公布各等次" in str(proposal.why[0])


def test_no_measure_the_tiers_use_means_no_proposal_rather_than_a_guess():
    proposal = propose_tier(DB1, {"次数": 3}, **PLAIN)
    assert proposal.tier is None
    assert "单体面积㎡、处数" in str(proposal.why[0])
    assert propose_tier([], {AREA: 1}, **PLAIN).tier is None


def test_a_measure_left_out_is_named_because_it_may_raise_the_tier():
    proposal = propose_tier(DB1, {COUNT: 2}, **PLAIN)
    assert proposal.tier == "minor"
    assert any("单体面积㎡" in str(note) and "可能提高" in str(note) for note in proposal.why)


def test_a_negative_or_non_numeric_fact_is_refused():
    for value in (-1, "两处"):
        with pytest.raises(DomainError):
            propose_tier(DB1, {COUNT: value}, **PLAIN)
    with pytest.raises(TypeError):
        propose_tier(DB1, {COUNT: 2.5}, **PLAIN)


def test_minor_corrected_without_harm_is_not_penalised():
    proposal = propose_tier(DB1, {AREA: 1}, first_offence=False, corrected=True, harm=False)
    assert proposal.tier == "no_penalty" and proposal.fine_max is None
    assert "第三十三条" in str(proposal.why[-1])


def test_a_first_minor_offence_corrected_may_go_unpenalised_even_with_slight_harm():
    proposal = propose_tier(DB1, {AREA: 1}, first_offence=True, corrected=True, harm=True)
    assert proposal.tier == "no_penalty" and "可以不予行政处罚" in str(proposal.why[-1])
    repeat = propose_tier(DB1, {AREA: 1}, first_offence=False, corrected=True, harm=True)
    assert repeat.tier == "minor"


def test_correction_does_not_excuse_an_ordinary_tier():
    proposal = propose_tier(DB1, {AREA: 5}, first_offence=True, corrected=True, harm=False)
    assert proposal.tier == "ordinary"


def test_a_fine_only_after_the_deadline_is_not_due_when_corrected_in_time():
    proposal = propose_tier(DB2, {COUNT: 4}, first_offence=False, corrected=True, harm=True)
    assert proposal.tier == "no_penalty" and "逾期不改正" in str(proposal.why[-1])


# --- checking a fine ----------------------------------------------------------------------


@pytest.mark.parametrize("fine", ["5000", "7500.50", "10000"])
def test_a_fine_inside_the_range_needs_no_review(fine):
    proposal = propose_tier(DB1, {AREA: 5}, **PLAIN)
    assert check_fine(proposal, fine).needs_legal_review is False


@pytest.mark.parametrize("fine", ["4999.99", "10000.01", "20000"])
def test_a_fine_outside_the_range_without_a_reason_is_refused(fine):
    proposal = propose_tier(DB1, {AREA: 5}, **PLAIN)
    with pytest.raises(DomainError, match="5000–10000元") as refused:
        check_fine(proposal, fine, reason="   ")
    assert "书面说明理由" in str(refused.value)


def test_a_fine_outside_the_range_with_a_reason_goes_to_legal_review():
    proposal = propose_tier(DB1, {AREA: 5}, **PLAIN)
    check = check_fine(proposal, "12000", reason="广告牌位于主干道桥梁，拒不配合拆除")
    assert check.needs_legal_review is True


def test_a_tier_range_can_be_checked_directly_and_an_upto_range_starts_at_zero():
    assert check_fine(DB1[0], 0).needs_legal_review is False
    assert check_fine(DB1[0], "5000").needs_legal_review is False
    assert check_fine(DB1[0], "5001", reason="多次违法").needs_legal_review is True


def test_any_fine_on_a_no_penalty_proposal_is_a_departure():
    proposal = propose_tier(DB1, {AREA: 1}, first_offence=False, corrected=True, harm=False)
    assert check_fine(proposal, 0).needs_legal_review is False
    with pytest.raises(DomainError, match="不予处罚"):
        check_fine(proposal, "100")
    assert check_fine(proposal, "100", reason="当事人拒不承认").needs_legal_review is True


def test_without_a_tier_there_is_no_range_to_check_against():
    with pytest.raises(DomainError, match="未确定裁量等次"):
        check_fine(propose_tier(DB1, {}, **PLAIN), "100", reason="x")


def test_a_bad_amount_is_refused():
    proposal = propose_tier(DB1, {AREA: 5}, **PLAIN)
    for amount in ("-1", "5000.001", "五千"):
        with pytest.raises(DomainError):
            check_fine(proposal, amount)


# --- the seed in the database -------------------------------------------------------------


@pytest.mark.django_db
def test_every_seeded_row_is_loaded_for_an_existing_power_with_its_source():
    rows = csv_text_rows(read_text("discretion_benchmarks.csv"))
    codes = set(Power.objects.values_list("code", flat=True))
    assert {row["power_code"] for row in rows} <= codes
    assert DiscretionBenchmark.objects.count() == len(rows) == 5
    for benchmark in DiscretionBenchmark.objects.select_related("power"):
        assert benchmark.source.split("（")[0] in benchmark.power.basis_source, benchmark


@pytest.mark.django_db
def test_the_seed_rows_propose_like_the_published_table():
    signs = [b.rule() for b in Power.objects.get(code="ZF-JS-008").benchmarks.all()]
    assert [b.tier for b in signs] == ["minor", "ordinary", "serious"]
    assert propose_tier(signs, {AREA: 10}, **PLAIN).fine_max == Decimal("10000.00")
    assert propose_tier(signs, {AREA: "10.5"}, **PLAIN).tier == "serious"


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_writes_no_ledger_entry():
    entries, history = LedgerEntry.objects.count(), DiscretionBenchmark.history.count()
    counts = benchmarks_load(csv_text=read_text("discretion_benchmarks.csv"))
    assert counts == {"created": 0, "updated": 0, "unchanged": 5}
    assert LedgerEntry.objects.count() == entries
    assert DiscretionBenchmark.history.count() == history


@pytest.mark.django_db
def test_a_changed_row_is_updated_with_history_and_a_ledger_entry():
    text = read_text("discretion_benchmarks.csv").replace(",20,30,", ",20,35,")
    assert benchmarks_load(csv_text=text)["updated"] == 1
    minor = DiscretionBenchmark.objects.get(power__code="ZF-JS-003", tier="minor")
    assert minor.fine_max == Decimal("35.00") and minor.history.count() == 2
    assert LedgerEntry.objects.filter(kind="powers.benchmarks_loaded").exists()


@pytest.mark.django_db
def test_a_row_for_an_unknown_power_or_a_repeated_tier_changes_nothing():
    header = "power_code,tier,condition,quantities,fine_min,fine_max,other_sanction,source\n"
    before = DiscretionBenchmark.objects.count()
    with pytest.raises(DomainError, match="ZF-XX-001"):
        benchmarks_load(csv_text=header + "ZF-XX-001,minor,c,,,,,DB1\n")
    twice = "ZF-JS-010,minor,c,,,100,,DB1\n" * 2
    with pytest.raises(DomainError, match="重复"):
        benchmarks_load(csv_text=header + twice)
    assert DiscretionBenchmark.objects.count() == before
