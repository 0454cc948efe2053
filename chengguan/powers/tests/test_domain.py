"""The seed-row checks and the period rule, over plain values."""

from datetime import date

import pytest

from chengguan.core.errors import DomainError
from chengguan.powers.domain import Period, check_new_period, power_row_parse, process_text

ROW = {
    "code": "ZF-T-001",
    "name": "测试事项",
    "domain": "水务",
    "functions": "查处",
    "legal_basis_prohibition": "某法第一条",
    "legal_basis_penalty": "某法第二条",
    "statutory_range": "罚款",
    "transferred_from": "水行政主管部门",
    "status": "in_force",
    "deferred_until": "",
    "deferred_condition": "",
    "summary_procedure": "no",
    "basis_source": "依据法规文本整理，待法制机构核对",
}


def test_a_complete_row_parses():
    row = power_row_parse(ROW, line=2)
    assert row.code == "ZF-T-001" and row.deferred_until is None and not row.summary_procedure


def test_a_row_without_its_penalty_clause_is_refused_with_its_line():
    with pytest.raises(DomainError, match="第 7 行缺少：legal_basis_penalty"):
        power_row_parse({**ROW, "legal_basis_penalty": " "}, line=7)


def test_a_deferred_row_needs_a_date_or_a_condition():
    with pytest.raises(DomainError, match="日期或条件"):
        power_row_parse({**ROW, "status": "deferred"}, line=3)
    dated = power_row_parse({**ROW, "status": "deferred", "deferred_until": "2027-01-01"}, line=3)
    assert dated.deferred_until == date(2027, 1, 1)


def test_an_in_force_row_has_no_deferral_and_a_bad_date_is_named():
    with pytest.raises(DomainError, match="不应有暂缓"):
        power_row_parse({**ROW, "deferred_condition": "以后再说"}, line=4)
    with pytest.raises(DomainError, match="YYYY-MM-DD"):
        power_row_parse({**ROW, "status": "deferred", "deferred_until": "2027/1/1"}, line=5)


def test_the_summary_procedure_note_is_added_only_where_it_applies():
    assert "简易程序" not in process_text(summary_procedure=False)
    steps = process_text(summary_procedure=True).splitlines()
    assert steps[0].startswith("立案") and steps[-1].startswith("简易程序")


def test_a_new_period_must_start_after_the_open_one_and_after_closed_ones_end():
    open_since_2018 = Period(date(2018, 1, 1), None)
    check_new_period(start=date(2025, 1, 1), existing=[open_since_2018])
    with pytest.raises(DomainError, match="晚于"):
        check_new_period(start=date(2018, 1, 1), existing=[open_since_2018])
    closed = Period(date(2018, 1, 1), date(2025, 1, 1))
    with pytest.raises(DomainError, match="重叠"):
        check_new_period(start=date(2024, 6, 1), existing=[closed])
    check_new_period(start=date(2025, 1, 1), existing=[closed])
