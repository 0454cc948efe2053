"""The staffing rules at their edges: each test fails when its rule is removed."""

from dataclasses import replace

import pytest

from chengguan.workforce.domain.staffing import (
    Level,
    Rule,
    Thresholds,
    UnitCounts,
    staffing_check,
)

RULES = Thresholds(floor_per_10k=3, ceiling_per_10k=7, front_line_share_min=0.8, warning_days=90)
# 1,000,000 residents: one officer is 0.01 per 10,000, so the edges are exact counts.
BASE = UnitCounts(
    code="410199",
    name="测试区",
    population=1_000_000,
    officers=500,
    front_line=450,
    auxiliaries=300,
)


def rules_broken(counts: UnitCounts, thresholds: Thresholds = RULES) -> dict[Rule, Level]:
    return {f.rule: f.level for f in staffing_check(counts, thresholds).findings}


def test_a_normal_unit_complies_with_no_findings():
    result = staffing_check(BASE, RULES)
    assert result.compliant and result.findings == ()
    assert result.per_10k == 5.0 and result.front_line_share == 0.9


@pytest.mark.parametrize(("officers", "compliant"), [(300, True), (299, False)])
def test_floor_exactly_three_per_10k_passes_and_2_99_fails(officers, compliant):
    counts = replace(BASE, officers=officers, front_line=officers, auxiliaries=0)
    result = staffing_check(counts, RULES)
    assert result.compliant is compliant
    assert (Rule.FLOOR in rules_broken(counts)) is not compliant
    if not compliant:
        assert result.violations[0].text() == "每万人执法人员 2.99 名，低于下限 3 名"


@pytest.mark.parametrize(("officers", "compliant"), [(700, True), (701, False)])
def test_ceiling_exactly_seven_per_10k_passes_and_7_01_fails_without_a_reason(officers, compliant):
    counts = replace(BASE, officers=officers, front_line=officers)
    result = staffing_check(counts, RULES)
    assert result.compliant is compliant
    assert (Rule.CEILING in rules_broken(counts)) is not compliant
    if not compliant:
        assert result.violations[0].text() == "每万人执法人员 7.01 名，超过上限 7 名，且未登记理由"


def test_above_the_ceiling_with_a_recorded_reason_complies_and_shows_the_reason():
    counts = replace(BASE, officers=701, front_line=701, exception_reason="流动人口多")
    result = staffing_check(counts, RULES)
    assert result.compliant
    (finding,) = result.findings
    assert (finding.rule, finding.level) == (Rule.CEILING, Level.NOTED)
    assert "已登记理由：流动人口多" in finding.text()


@pytest.mark.parametrize(("front_line", "compliant"), [(400, True), (399, False)])
def test_front_line_exactly_80_percent_of_sworn_officers_passes(front_line, compliant):
    counts = replace(BASE, officers=500, front_line=front_line, auxiliaries=0)
    result = staffing_check(counts, RULES)
    assert result.compliant is compliant
    if not compliant:
        assert result.violations[0].text() == "一线执法人员占 79.8%，低于 80%"


def test_front_line_share_counts_sworn_officers_only_not_auxiliaries():
    # 400 of 500 officers on the front line; 499 auxiliaries (all front line) change nothing.
    counts = replace(BASE, officers=500, front_line=400, auxiliaries=499)
    assert staffing_check(counts, RULES).front_line_share == 0.8


@pytest.mark.parametrize(("auxiliaries", "compliant"), [(500, True), (501, False)])
def test_auxiliaries_equal_to_officers_pass_and_one_more_fails(auxiliaries, compliant):
    counts = replace(BASE, officers=500, auxiliaries=auxiliaries)
    result = staffing_check(counts, RULES)
    assert result.compliant is compliant
    if not compliant:
        assert result.violations[0].text() == "协管员 501 名，多于在编执法人员 500 名"


def test_expiring_certificates_and_failed_officers_are_warnings_that_keep_compliance():
    counts = replace(BASE, expiring_certificates=4, failing_officers=2, uncertified_officers=3)
    result = staffing_check(counts, RULES)
    assert result.compliant
    assert rules_broken(counts) == {
        Rule.CERTIFICATES: Level.WARNING,
        Rule.UNCERTIFIED: Level.WARNING,
        Rule.ASSESSMENT: Level.WARNING,
    }
    texts = [f.text() for f in result.findings]
    assert texts == [
        "4 本执法证件将在 90 天内到期",
        "3 名执法人员没有有效的执法证件，不能执法",
        "2 名执法人员最近一次评议考核不合格，不得从事执法工作",
    ]
    assert (
        staffing_check(
            replace(counts, expiring_certificates=0, failing_officers=0, uncertified_officers=0),
            RULES,
        ).findings
        == ()
    )


def test_a_unit_without_population_cannot_be_shown_compliant():
    result = staffing_check(replace(BASE, population=None), RULES)
    assert not result.compliant and result.per_10k is None
    assert rules_broken(replace(BASE, population=0)) == {Rule.POPULATION: Level.VIOLATION}


def test_a_unit_without_officers_is_under_the_floor_and_has_no_front_line_share():
    result = staffing_check(replace(BASE, officers=0, front_line=0, auxiliaries=0), RULES)
    assert result.front_line_share is None
    assert rules_broken(result.counts) == {Rule.FLOOR: Level.VIOLATION}


def test_the_floor_follows_the_thresholds_given():
    counts = replace(BASE, officers=350, front_line=350, auxiliaries=0)  # 3.5 per 10,000
    assert staffing_check(counts, RULES).compliant
    assert not staffing_check(counts, replace(RULES, floor_per_10k=4)).compliant


def test_a_share_just_under_the_minimum_never_reads_as_the_minimum():
    counts = replace(BASE, officers=10_000, front_line=7_999, population=20_000_000)
    assert staffing_check(counts, RULES).violations[0].text() == "一线执法人员占 79.9%，低于 80%"
