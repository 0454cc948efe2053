"""Every rule of data/admin_penalty_procedure_rules.csv, tested at its edges (pure: no DB).

Dates are chosen around the 2026 National Day holiday (1–7 October off; Sunday 20 September
and Saturday 10 October worked) so that a working-day period visibly differs from the same
number of natural days.
"""

import csv
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengguan.core.calendar_sources import day_kinds, official_year
from chengguan.core.errors import DomainError, Forbidden
from chengguan.core.workcal import WorkCalendar
from chengguan.penalties.domain import execution, money, periods, procedure
from chengguan.penalties.domain.execution import (
    Collector,
    bank_deposit_due,
    check_deferral,
    check_fine_collection,
    check_on_the_spot_collection,
    court_enforcement_counted_from,
    days_late,
    execution_suspended,
    hand_in_due,
    late_fee,
    payment_due,
)
from chengguan.penalties.domain.periods import WORKING_DAY_PERIODS, working_days_due
from chengguan.penalties.domain.procedure import (
    RULES,
    Confidential,
    Extension,
    Harm,
    NoPenaltyGround,
    PartyKind,
    Penalty,
    PenaltyKind,
    RecordStage,
    ReviewerFacts,
    ReviewGround,
    SummaryStep,
    check_decision_in_time,
    check_disclosure,
    check_electronic_service,
    check_hearing_chair,
    check_hearing_notice,
    check_hearing_record,
    check_hearing_request,
    check_inquiry,
    check_investigators,
    check_legal_reviewer,
    check_may_decide,
    check_preservation_decision,
    check_service_in_time,
    check_summary_penalty,
    decision_due,
    hearing_is_public,
    hearing_request_due,
    hearing_right,
    hearing_waived,
    legal_review_required,
    may_refuse_inspection,
    missing_decision_items,
    missing_notice_items,
    missing_record_stages,
    missing_summary_steps,
    no_penalty_ground,
    preservation_decision_due,
    publication_due,
    registration_required,
    service_due,
    withdrawal_due,
    within_limitation,
)
from chengguan.workforce.domain.gate import CertificateFacts, EnforcerFacts, Kind, Result

SHANGHAI = ZoneInfo("Asia/Shanghai")
CSV_PATH = Path(__file__).resolve().parents[3] / "data" / "admin_penalty_procedure_rules.csv"
CAL = WorkCalendar(overrides=day_kinds(official_year(2025)) | day_kinds(official_year(2026)))
PERSON, ORG = PartyKind.PERSON, PartyKind.ORGANISATION


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def fine(amount: str) -> Penalty:
    return Penalty(PenaltyKind.FINE, Decimal(amount))


WARNING = Penalty(PenaltyKind.WARNING)
BEFORE_HOLIDAY = local(2026, 9, 30, 10)  # Wednesday; 1–7 October off


# -- the map: no CSV row without a function ----------------------------------------------


def csv_rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_csv_rule_is_mapped_to_a_function_and_documented():
    rows = csv_rows()
    assert len(rows) == 35
    pairs = {(r["stage"], r["rule"]) for r in rows}
    assert pairs == set(RULES)
    for stage, rule in pairs:
        assert f"| {stage} | {rule} |" in procedure.__doc__


def test_every_mapped_name_exists_in_the_domain():
    modules = {"execution": execution, "periods": periods}
    for names in RULES.values():
        for name in names:
            module_name, _, attr = name.rpartition(".")
            module = modules[module_name] if module_name else procedure
            assert hasattr(module, attr), name
            assert f"`{name}`" in procedure.__doc__


def test_csv_keeps_its_verified_column():
    assert all(r["verified"].startswith("source") for r in csv_rows())


# -- 简易程序 当场处罚上限 (Art. 51) --------------------------------------------------------


@pytest.mark.parametrize(("party", "cap"), [(PERSON, "200"), (ORG, "3000")])
def test_summary_fine_passes_at_the_cap_and_fails_one_fen_over(party, cap):
    check_summary_penalty(party, [fine(cap)])
    with pytest.raises(DomainError, match="不得超过"):
        check_summary_penalty(party, [fine(str(Decimal(cap) + Decimal("0.01")))])


def test_summary_allows_a_warning_and_adds_up_split_fines():
    check_summary_penalty(ORG, [WARNING])
    check_summary_penalty(PERSON, [WARNING, fine("200")])
    with pytest.raises(DomainError):
        check_summary_penalty(PERSON, [fine("150"), fine("50.01")])


@pytest.mark.parametrize(
    "penalty",
    [Penalty(PenaltyKind.CRITICISM), Penalty(PenaltyKind.CONFISCATE_GAINS, Decimal(10))],
)
def test_summary_refuses_any_penalty_but_warning_or_fine(penalty):
    with pytest.raises(DomainError, match="警告或者罚款"):
        check_summary_penalty(PERSON, [penalty])


@given(st.integers(min_value=0, max_value=1_000_000))
def test_summary_cap_property(fen):
    amount = Decimal(fen) / 100
    allowed = amount <= 3000
    try:
        check_summary_penalty(ORG, [Penalty(PenaltyKind.FINE, amount)])
    except DomainError:
        assert not allowed
    else:
        assert allowed


# -- 简易程序 当场处罚决定备案 (Art. 52) ----------------------------------------------------


def test_summary_case_is_not_closed_until_filed_with_the_agency():
    done = [s for s in SummaryStep if s is not SummaryStep.FILED]
    assert missing_summary_steps(done) == [SummaryStep.FILED]
    assert missing_summary_steps(SummaryStep) == []


# -- 简易程序 当场收缴 (Art. 68) ----------------------------------------------------------


def test_on_the_spot_collection_up_to_100_yuan():
    check_on_the_spot_collection(summary_decision=True, fine="100", hard_to_execute_later=False)
    with pytest.raises(Forbidden):
        check_on_the_spot_collection(
            summary_decision=True, fine="100.01", hard_to_execute_later=False
        )


def test_on_the_spot_collection_above_100_only_when_hard_to_execute_later():
    check_on_the_spot_collection(summary_decision=True, fine="150", hard_to_execute_later=True)


def test_on_the_spot_collection_never_after_an_ordinary_decision():
    with pytest.raises(Forbidden):
        check_on_the_spot_collection(summary_decision=False, fine="50", hard_to_execute_later=True)


# -- 简易程序 当场收缴交付 (Art. 71) ------------------------------------------------------


def test_collected_fine_is_handed_in_within_two_working_days_across_a_holiday():
    due = hand_in_due(BEFORE_HOLIDAY, CAL)
    assert due.at == local(2026, 10, 9, 18)  # Thursday 8 and Friday 9 October
    assert due.at > BEFORE_HOLIDAY + timedelta(days=2)  # not natural days


def test_agency_pays_the_bank_within_two_working_days():
    assert bank_deposit_due(local(2026, 10, 9, 10), CAL).at == local(2026, 10, 12, 18)


# -- 普通程序 立案 (Art. 54) ------------------------------------------------------------


def test_case_meeting_the_standard_is_registered_outside_the_summary_procedure():
    assert registration_required(meets_standard=True, summary=False)
    assert not registration_required(meets_standard=True, summary=True)
    assert not registration_required(meets_standard=False, summary=False)


# -- 调查取证 执法人员人数/亮证 (Arts. 42, 55) ----------------------------------------------

ON = date(2026, 6, 1)


def officer(name: str, number: str, **changes) -> EnforcerFacts:
    base = {
        "name": name,
        "kind": Kind.OFFICER,
        "active": True,
        "certificates": (CertificateFacts(number, date(2024, 1, 1), date(2028, 12, 31), True),),
        "latest_assessment": Result.COMPETENT,
    }
    return EnforcerFacts(**{**base, **changes})


def test_two_qualified_officers_may_investigate():
    certs = check_investigators([officer("张三", "ZZ-1"), officer("李四", "ZZ-2")], ON)
    assert [c.number for c in certs] == ["ZZ-1", "ZZ-2"]


def test_one_officer_or_the_same_officer_twice_is_not_enough():
    with pytest.raises(DomainError, match="两名以上"):
        check_investigators([officer("张三", "ZZ-1")], ON)
    with pytest.raises(DomainError, match="两名以上"):
        check_investigators([officer("张三", "ZZ-1"), officer("张三", "ZZ-1")], ON)


def test_every_investigator_passes_the_enforcement_gate():
    with pytest.raises(Forbidden, match="协管员"):
        check_investigators(
            [officer("张三", "ZZ-1"), officer("王五", "ZZ-3", kind=Kind.AUXILIARY)], ON
        )


# -- 调查取证 证据先行登记保存处理 (Art. 56) ------------------------------------------------


def test_preserved_evidence_is_dealt_with_within_seven_working_days():
    preserved = local(2026, 9, 29, 10)
    # 30 Sep, 8, 9, 10 (make-up Saturday), 12, 13, 14 October.
    assert preservation_decision_due(preserved, CAL).at == local(2026, 10, 14, 18)
    check_preservation_decision(preserved, local(2026, 10, 14, 18), CAL)
    with pytest.raises(DomainError, match="七个工作日"):
        check_preservation_decision(preserved, local(2026, 10, 15, 8, 30), CAL)


# -- 全过程记录 (Art. 47) ---------------------------------------------------------------


def test_case_is_archived_only_with_every_stage_recorded():
    assert missing_record_stages(RecordStage) == []
    assert missing_record_stages([RecordStage.START, RecordStage.INVESTIGATION]) == [
        RecordStage.REVIEW,
        RecordStage.DECISION,
        RecordStage.SERVICE,
        RecordStage.EXECUTION,
    ]


# -- 告知 事先告知 (Arts. 44, 62) ---------------------------------------------------------

ALL_NOTICE = ["penalty", "facts", "reasons", "basis", "statement_rights", "hearing_right"]


def test_notice_states_penalty_facts_reasons_basis_and_rights():
    assert missing_notice_items(ALL_NOTICE, hearing_right=True) == []
    assert missing_notice_items(ALL_NOTICE[:-1], hearing_right=True) == ["hearing_right"]
    assert missing_notice_items(ALL_NOTICE[:-1], hearing_right=False) == []
    assert missing_notice_items(["penalty", "facts"], hearing_right=False) == [
        "reasons",
        "basis",
        "statement_rights",
    ]


def may_decide(**changes) -> None:
    base = {
        "notified": True,
        "statements_heard_or_waived": True,
        "hearing_requested": False,
        "hearing_concluded": False,
        "review_grounds": frozenset(),
        "review_passed": False,
    }
    check_may_decide(**{**base, **changes})


def test_no_decision_without_notice_or_hearing_the_party():
    may_decide()
    with pytest.raises(DomainError, match="未告知"):
        may_decide(notified=False)
    with pytest.raises(DomainError, match="陈述、申辩"):
        may_decide(statements_heard_or_waived=False)
    with pytest.raises(DomainError, match="听证结束前"):
        may_decide(hearing_requested=True)
    may_decide(hearing_requested=True, hearing_concluded=True)


# -- 听证 申请期限 / 通知期限 (Art. 64(1)(2)) ---------------------------------------------


def test_hearing_request_within_five_working_days_of_the_notice():
    # 8, 9, 10 (make-up Saturday), 12, 13 October.
    assert hearing_request_due(BEFORE_HOLIDAY, CAL) == date(2026, 10, 13)
    check_hearing_request(BEFORE_HOLIDAY, local(2026, 10, 13, 23, 59), CAL)
    with pytest.raises(DomainError, match="五个工作日"):
        check_hearing_request(BEFORE_HOLIDAY, local(2026, 10, 14), CAL)


def test_hearing_notice_leaves_seven_whole_working_days():
    notified = local(2026, 10, 8, 10)  # then 9, 10, 12, 13, 14, 15, 16 October
    check_hearing_notice(notified, date(2026, 10, 17), CAL)
    with pytest.raises(DomainError, match="七个工作日前"):
        check_hearing_notice(notified, date(2026, 10, 16), CAL)


# -- 听证 河南听证门槛 (Henan order 204 Art. 4) ------------------------------------------


@pytest.mark.parametrize(("party", "threshold"), [(PERSON, "5000"), (ORG, "50000")])
def test_hearing_right_from_the_henan_fine_threshold(party, threshold):
    assert hearing_right(party, [fine(threshold)])
    assert not hearing_right(party, [fine(str(Decimal(threshold) - Decimal("0.01")))])


def test_hearing_right_for_confiscation_of_the_same_value_added_up():
    gains = Penalty(PenaltyKind.CONFISCATE_GAINS, Decimal(3000))
    assert not hearing_right(PERSON, [gains])
    assert hearing_right(PERSON, [gains, Penalty(PenaltyKind.CONFISCATE_PROPERTY, Decimal(2000))])


@pytest.mark.parametrize(
    "kind",
    [
        PenaltyKind.DEMOTE_QUALIFICATION,
        PenaltyKind.REVOKE_LICENCE,
        PenaltyKind.SUSPEND_BUSINESS,
        PenaltyKind.CLOSE,
        PenaltyKind.RESTRICT_PRACTICE,
    ],
)
def test_hearing_right_for_the_listed_kinds_whatever_the_size(kind):
    assert hearing_right(PERSON, [Penalty(kind)])


def test_other_heavier_penalty_gets_a_hearing_only_on_the_agencys_judgement():
    suspend = Penalty(PenaltyKind.SUSPEND_LICENCE)
    assert not hearing_right(ORG, [suspend, WARNING])
    assert hearing_right(ORG, [suspend], heavier_or_prescribed=True)


# -- 法制审核 须审核情形 / 审核人员资格 / 未审核不得决定 (Art. 58) ------------------------------


@pytest.mark.parametrize(
    ("flags", "ground"),
    [
        ({"major_public_interest": True}, ReviewGround.PUBLIC_INTEREST),
        ({"major_rights": True, "heard": True}, ReviewGround.MAJOR_RIGHTS_HEARD),
        ({"complex_case": True}, ReviewGround.COMPLEX),
        ({"required_by_law": True}, ReviewGround.BY_LAW),
        ({"departs_from_benchmark": True}, ReviewGround.BENCHMARK_DEPARTED),
    ],
)
def test_legal_review_required_in_each_listed_situation(flags, ground):
    assert legal_review_required(**flags) == {ground}


def test_major_rights_need_a_hearing_too_for_review():
    assert legal_review_required() == frozenset()
    assert legal_review_required(major_rights=True) == frozenset()
    assert legal_review_required(heard=True) == frozenset()


def test_no_decision_without_a_passed_review_where_required():
    may_decide(review_grounds={ReviewGround.COMPLEX}, review_passed=True)
    with pytest.raises(DomainError, match="法制审核"):
        may_decide(review_grounds={ReviewGround.COMPLEX}, review_passed=False)


def test_reviewer_starting_under_the_2021_law_needs_the_legal_qualification():
    investigators = {"a", "b"}
    check_legal_reviewer(ReviewerFacts("r", date(2021, 7, 14), False), investigators)
    check_legal_reviewer(ReviewerFacts("r", date(2021, 7, 15), True), investigators)
    with pytest.raises(Forbidden, match="法律职业资格"):
        check_legal_reviewer(ReviewerFacts("r", date(2021, 7, 15), False), investigators)


def test_reviewer_is_not_an_investigator():
    with pytest.raises(Forbidden, match="调查人员"):
        check_legal_reviewer(ReviewerFacts("a", date(2020, 1, 1), True), {"a", "b"})


# -- 决定 办案期限 (Art. 60) / 决定书载明事项 (Art. 59) ----------------------------------


def test_decision_within_ninety_natural_days_of_registration():
    registered = date(2026, 1, 5)
    assert decision_due(registered) == date(2026, 4, 5)  # a Sunday in Qingming: not moved
    check_decision_in_time(registered, date(2026, 4, 5))
    with pytest.raises(DomainError, match="办案期限"):
        check_decision_in_time(registered, date(2026, 4, 6))


def test_approved_extension_moves_the_decision_deadline():
    extension = Extension(date(2026, 5, 5), "依某规章第X条，经机关负责人批准")
    check_decision_in_time(date(2026, 1, 5), date(2026, 5, 5), extension)
    with pytest.raises(DomainError):
        check_decision_in_time(date(2026, 1, 5), date(2026, 5, 6), extension)
    with pytest.raises(DomainError, match="依据"):
        decision_due(date(2026, 1, 5), Extension(date(2026, 5, 5), " "))
    with pytest.raises(DomainError, match="依据"):
        decision_due(date(2026, 1, 5), Extension(date(2026, 4, 5), "x"))


COMPLETE_DECISION = {
    "party": "某某餐饮有限公司",
    "address": "郑州市金水区",
    "facts_and_evidence": "占道经营，现场照片",
    "kind_and_basis": "罚款，依据……",
    "performance": "十五日内缴纳",
    "remedies": "六十日内复议，六个月内起诉",
    "agency": "某区城市管理局",
    "date": date(2026, 6, 1),
    "seal": True,
}


def test_decision_lists_the_items_it_lacks():
    assert missing_decision_items(COMPLETE_DECISION) == []
    assert missing_decision_items(
        {**COMPLETE_DECISION, "seal": False, "remedies": "  ", "address": None}
    ) == ["address", "remedies", "seal"]


# -- 送达 决定书送达 / 电子送达 (Art. 61) --------------------------------------------------


def test_decision_handed_over_on_the_spot_when_the_party_is_present():
    check_service_in_time(BEFORE_HOLIDAY, BEFORE_HOLIDAY, party_present=True, calendar=CAL)
    # The hand-over is recorded on the same occasion, minutes later: the same day.
    check_service_in_time(
        BEFORE_HOLIDAY, BEFORE_HOLIDAY + timedelta(minutes=20), party_present=True, calendar=CAL
    )
    with pytest.raises(DomainError, match="当场交付"):
        check_service_in_time(
            BEFORE_HOLIDAY, BEFORE_HOLIDAY + timedelta(days=1), party_present=True, calendar=CAL
        )


def test_absent_party_served_within_seven_working_days():
    # 8, 9, 10 (make-up Saturday), 12, 13, 14, 15 October.
    due = service_due(BEFORE_HOLIDAY, party_present=False, calendar=CAL)
    assert due.at == local(2026, 10, 15, 18)
    with pytest.raises(DomainError, match="七个工作日"):
        check_service_in_time(
            BEFORE_HOLIDAY, local(2026, 10, 16, 8, 30), party_present=False, calendar=CAL
        )


def test_electronic_service_only_with_signed_consent():
    check_electronic_service(consent_signed=True)
    with pytest.raises(DomainError, match="确认书"):
        check_electronic_service(consent_signed=False)


# -- 执行 罚缴分离 / 不得自行收缴 (Arts. 67, 78) ------------------------------------------


@pytest.mark.parametrize("collector", [Collector.BANK, Collector.E_PAYMENT])
def test_party_pays_a_bank_or_the_e_payment_system(collector):
    check_fine_collection(collector, on_the_spot_allowed=False)


def test_agency_and_officers_never_collect_except_on_the_spot():
    check_fine_collection(Collector.OFFICER, on_the_spot_allowed=True)
    for collector, allowed in [
        (Collector.OFFICER, False),
        (Collector.AGENCY, False),
        (Collector.AGENCY, True),
    ]:
        with pytest.raises(Forbidden, match="罚缴分离"):
            check_fine_collection(collector, on_the_spot_allowed=allowed)


# -- 执行 缴纳期限 (Art. 67) -----------------------------------------------------------


def test_payment_within_fifteen_natural_days_of_receipt():
    assert payment_due(date(2026, 3, 2), CAL) == date(2026, 3, 17)
    assert 15 not in WORKING_DAY_PERIODS


def test_payment_deadline_on_a_holiday_moves_to_the_next_working_day():
    assert payment_due(date(2026, 9, 22), CAL) == date(2026, 10, 8)  # 7 October is off


# -- 执行 加处罚款 (Art. 72) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "fee"), [(0, "0"), (1, "30"), (33, "990"), (34, "1000"), (400, "1000")]
)
def test_late_fee_is_three_percent_a_day_capped_at_the_fine(days, fee):
    assert late_fee("1000", days) == Decimal(fee)


def test_late_fee_rounds_half_up_to_the_fen():
    assert late_fee("3.50", 1) == Decimal("0.11")  # 0.105; banker's rounding would give 0.10


def test_money_refuses_floats_and_fractions_of_a_fen():
    with pytest.raises(TypeError):
        late_fee(10.5, 1)
    with pytest.raises(DomainError, match="分"):
        money.yuan("10.005")
    with pytest.raises(DomainError):
        money.yuan("-1")


FINES = st.integers(min_value=1, max_value=10_000_000).map(lambda fen: Decimal(fen) / 100)


@given(FINES, st.integers(min_value=0, max_value=200), st.integers(min_value=0, max_value=200))
def test_late_fee_never_exceeds_the_fine_and_grows_with_the_days(amount, a, b):
    low, high = sorted((a, b))
    assert Decimal(0) <= late_fee(amount, low) <= late_fee(amount, high) <= amount
    assert late_fee(amount, high).as_tuple().exponent == -2


# -- 执行 申请法院强制执行 / 暂缓或分期缴纳 (Arts. 66, 72) ----------------------------------


def test_court_enforcement_period_runs_from_the_end_of_a_deferral():
    ordinary = date(2026, 9, 1)
    assert court_enforcement_counted_from(ordinary, None) == ordinary
    assert court_enforcement_counted_from(ordinary, date(2026, 12, 31)) == date(2026, 12, 31)


@pytest.mark.parametrize(
    "facts",
    [
        {"financial_hardship": False, "applied": True, "approved": True},
        {"financial_hardship": True, "applied": False, "approved": True},
        {"financial_hardship": True, "applied": True, "approved": False},
    ],
)
def test_deferral_needs_hardship_an_application_and_approval(facts):
    with pytest.raises(DomainError, match="经济困难"):
        check_deferral(**facts)


def test_deferral_granted_with_all_three():
    check_deferral(financial_hardship=True, applied=True, approved=True)


# -- 执行 复议诉讼不停止执行 (Art. 73) ----------------------------------------------------


def test_reconsideration_does_not_suspend_the_penalty_unless_a_law_says_so():
    assert not execution_suspended(review_pending=True)
    assert execution_suspended(review_pending=True, law_suspends=True)
    assert not execution_suspended(review_pending=False, law_suspends=True)


def test_late_fee_days_pause_during_reconsideration():
    due = date(2026, 3, 17)
    assert days_late(due, date(2026, 3, 17)) == 0
    assert days_late(due, date(2026, 3, 18)) == 1
    assert days_late(due, date(2026, 4, 30)) == 44
    review = [(date(2026, 4, 1), date(2026, 4, 10)), (date(2026, 4, 5), date(2026, 4, 12))]
    assert days_late(due, date(2026, 4, 30), review) == 44 - 12


@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    st.integers(min_value=-30, max_value=400),
    st.lists(st.tuples(st.integers(-50, 450), st.integers(0, 60)), max_size=3),
)
def test_days_late_is_between_zero_and_the_calendar_days(due, offset, reviews):
    paid = due + timedelta(days=offset)
    periods_ = [(due + timedelta(s), due + timedelta(s + n)) for s, n in reviews]
    assert 0 <= days_late(due, paid, periods_) <= max(0, offset)


# -- 公示 处罚决定公开 / 公开时限 (Art. 48; local standard) -------------------------------


def test_changed_decision_withdrawn_within_three_working_days():
    assert withdrawal_due(BEFORE_HOLIDAY, CAL).at == local(2026, 10, 10, 18)  # make-up Saturday


def test_publication_within_twenty_working_days():
    # From Friday 9 October (make-up Saturday 10 October included) to Wednesday 4 November.
    due = publication_due(local(2026, 10, 8, 10), CAL).at
    assert due == local(2026, 11, 4, 18)
    assert due > local(2026, 10, 8, 10) + timedelta(days=20 + 6)  # 20 + weekends, not natural


# -- 时效 追责时效 (Art. 36) ------------------------------------------------------------


def test_limitation_two_years_up_to_the_same_date():
    act = date(2024, 2, 29)
    assert within_limitation(act_ended_on=act, discovered_on=date(2026, 2, 28))
    assert not within_limitation(act_ended_on=act, discovered_on=date(2026, 3, 1))


def test_limitation_five_years_only_for_danger_with_harmful_consequences():
    act, late = date(2020, 6, 1), date(2025, 6, 1)
    assert within_limitation(
        act_ended_on=act,
        discovered_on=late,
        endangers_life_health_or_finance=True,
        harmful_consequence=True,
    )
    assert not within_limitation(
        act_ended_on=act,
        discovered_on=late + timedelta(days=1),
        endangers_life_health_or_finance=True,
        harmful_consequence=True,
    )
    assert not within_limitation(
        act_ended_on=act, discovered_on=late, endangers_life_health_or_finance=True
    )


# -- 裁量 不予处罚 (Art. 33) ------------------------------------------------------------


def ground(**changes) -> NoPenaltyGround | None:
    base = {
        "minor": False,
        "corrected_promptly": False,
        "harm": Harm.SIGNIFICANT,
        "first_offence": False,
        "no_fault_proven": False,
    }
    return no_penalty_ground(**{**base, **changes})


def test_no_penalty_grounds():
    assert ground() is None
    assert (
        ground(minor=True, corrected_promptly=True, harm=Harm.NONE)
        is NoPenaltyGround.MINOR_CORRECTED
    )
    assert ground(minor=True, corrected_promptly=True, harm=Harm.MINOR) is None
    assert ground(no_fault_proven=True) is NoPenaltyGround.NO_FAULT
    assert (
        ground(first_offence=True, corrected_promptly=True, harm=Harm.MINOR)
        is NoPenaltyGround.FIRST_OFFENCE
    )
    assert ground(first_offence=True, harm=Harm.MINOR) is None


def test_first_offence_leniency_is_discretionary_the_others_mandatory():
    assert NoPenaltyGround.MINOR_CORRECTED.mandatory
    assert NoPenaltyGround.NO_FAULT.mandatory
    assert not NoPenaltyGround.FIRST_OFFENCE.mandatory


# -- 调查取证 出示执法证件 (Art. 55) -------------------------------------------------------


def test_inquiry_needs_the_certificate_shown_and_a_record():
    check_inquiry(certificate_shown=True, record_made=True)
    with pytest.raises(DomainError, match="出示执法证件"):
        check_inquiry(certificate_shown=False, record_made=True)
    with pytest.raises(DomainError, match="笔录"):
        check_inquiry(certificate_shown=True, record_made=False)
    assert may_refuse_inspection(certificate_shown=False)
    assert not may_refuse_inspection(certificate_shown=True)


# -- 听证 主持人回避 / 视为放弃 (Art. 64) --------------------------------------------------


def test_hearing_chair_did_not_investigate():
    check_hearing_chair("c", {"a", "b"})
    with pytest.raises(Forbidden, match="主持人"):
        check_hearing_chair("a", {"a", "b"})


def test_hearing_is_public_unless_secrets_and_the_record_is_signed():
    assert hearing_is_public([])
    assert not hearing_is_public([Confidential.TRADE_SECRET])
    check_hearing_record(party_signed=True, refusal_noted=False)
    check_hearing_record(party_signed=False, refusal_noted=True)
    with pytest.raises(DomainError, match="笔录"):
        check_hearing_record(party_signed=False, refusal_noted=False)


def test_unexcused_absence_waives_the_hearing():
    assert hearing_waived(absent_or_left_without_leave=True, good_reason=False)
    assert not hearing_waived(absent_or_left_without_leave=True, good_reason=True)
    assert not hearing_waived(absent_or_left_without_leave=False, good_reason=False)


# -- 保密 (Art. 50) ------------------------------------------------------------------


def test_secrets_are_not_disclosed():
    check_disclosure([])
    with pytest.raises(Forbidden, match="privacy"):
        check_disclosure([Confidential.PRIVACY])


# -- 期间 日的计算 (Art. 85) -----------------------------------------------------------


def test_only_two_three_five_and_seven_days_are_working_days():
    assert frozenset({2, 3, 5, 7}) == WORKING_DAY_PERIODS
    for natural in (execution.PAYMENT_DAYS, procedure.DECISION_DAYS):
        with pytest.raises(ValueError, match="working days"):
            working_days_due(BEFORE_HOLIDAY, natural, CAL)
