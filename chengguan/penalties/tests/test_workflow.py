"""The stage machine, document numbers and the limits table, as pure rules."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengguan.accounts.roles import Role
from chengguan.core.errors import DomainError, Forbidden
from chengguan.core.workcal import WorkCalendar
from chengguan.penalties.domain import limits
from chengguan.penalties.domain.numbers import (
    document_number,
    payment_reference,
    payment_reference_valid,
    unit_short,
)
from chengguan.penalties.domain.workflow import (
    FINAL,
    TRANSITIONS,
    Action,
    Procedure,
    Status,
    actions_available,
    check_transition,
)

TZ = ZoneInfo("Asia/Shanghai")
ROLES = [frozenset({Role.OFFICER}), frozenset({Role.LEGAL_REVIEWER}), frozenset({None})]


@given(
    procedure=st.sampled_from(list(Procedure)),
    steps=st.lists(st.tuples(st.sampled_from(list(Action)), st.sampled_from(ROLES)), max_size=40),
)
def test_any_sequence_of_actions_keeps_the_machine_lawful(procedure, steps):
    """Whatever people click, a refused action changes nothing, an allowed one is exactly
    what `actions_available` offered, and nothing leaves a final stage."""
    status = Status.INVESTIGATING if procedure is Procedure.ORDINARY else Status.DECIDED
    for action, roles in steps:
        offered = action in actions_available(procedure=procedure, status=status, roles=roles)
        try:
            transition = check_transition(action, procedure=procedure, status=status, roles=roles)
        except (DomainError, Forbidden):
            assert not offered
            continue
        assert offered
        assert status not in FINAL
        if transition.target is not None:
            status = transition.target


def test_only_a_legal_reviewer_reviews_and_only_the_bank_confirms_alone():
    with pytest.raises(Forbidden):
        check_transition(
            Action.REVIEW,
            procedure=Procedure.ORDINARY,
            status=Status.REVIEWING,
            roles={Role.OFFICER},
        )
    assert TRANSITIONS[Action.RECORD_PAYMENT].roles == frozenset({Role.OFFICER, None})


def test_summary_cases_have_no_hearing_and_ordinary_cases_no_filing():
    with pytest.raises(DomainError, match="简易程序案件没有"):
        check_transition(
            Action.REQUEST_HEARING,
            procedure=Procedure.SUMMARY,
            status=Status.NOTIFIED,
            roles={Role.OFFICER},
        )
    with pytest.raises(DomainError, match="普通程序案件没有"):
        check_transition(
            Action.FILE, procedure=Procedure.ORDINARY, status=Status.DECIDED, roles={Role.OFFICER}
        )


def test_referral_only_before_a_decision():
    for status in Status:
        allowed = Action.REFER in actions_available(
            procedure=Procedure.ORDINARY, status=status, roles={Role.OFFICER}
        )
        assert allowed == (
            status in {Status.INVESTIGATING, Status.NOTIFIED, Status.HEARING, Status.REVIEWING}
        )


UNITS = [
    "中原区", "二七区", "管城回族区", "金水区", "上街区", "惠济区", "中牟县",
    "郑州经济技术开发区", "郑州高新技术产业开发区", "郑州航空港经济综合实验区",
    "巩义市", "荥阳市", "新密市", "新郑市", "登封市", "郑东新区",
]  # fmt: skip


def test_document_numbers_name_the_unit_kind_year_and_serial():
    assert unit_short("金水区") == "金水"
    assert unit_short("管城回族区") == "管城"
    assert unit_short("郑州航空港经济综合实验区") == "航空港"
    assert unit_short("郑州市") == ""
    assert (
        document_number(unit="金水", word="罚决", year=2026, serial=123)
        == "郑金水城综罚决字〔2026〕第123号"
    )
    assert document_number(unit="郑东", word="罚决", year=2026, serial=1).startswith("郑东城综")
    assert document_number(unit="", word="罚决", year=2026, serial=1).startswith("郑城综")
    with pytest.raises(ValueError):
        document_number(unit="金水", word="罚决", year=2026, serial=0)


def test_every_unit_of_zhengzhou_has_its_own_document_prefix():
    shorts = [unit_short(name) for name in UNITS]
    assert len(set(shorts)) == len(UNITS) and "" not in shorts


def test_payment_references_carry_a_check_pair_that_catches_typos():
    reference = payment_reference(region_code="410105", year=2026, serial=42)
    assert len(reference) == 18 and payment_reference_valid(reference)
    for i in range(16):
        typo = reference[:i] + str((int(reference[i]) + 1) % 10) + reference[i + 1 :]
        assert not payment_reference_valid(typo)
    swapped = reference[:3] + reference[4] + reference[3] + reference[5:]
    assert swapped == reference or not payment_reference_valid(swapped)


def test_the_limits_table_counts_each_period_as_the_law_says():
    calendar = WorkCalendar(overrides={})  # Monday to Friday, no holidays
    registered = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)
    notified = datetime(2026, 11, 3, 10, tzinfo=TZ)
    table = limits.case_limits(
        limits.CaseDates(registered_at=registered, notified_at=notified),
        calendar,
        now=registered + timedelta(days=1),
    )
    by_key = {limit.key: limit for limit in table}
    decision = by_key["decision"]
    assert decision.counting == "natural" and decision.due.date() == date(2027, 1, 31)
    hearing = by_key["hearing_request"]
    assert hearing.counting == "working" and hearing.party
    # Five working days after Tuesday 3 Nov: Tuesday 10 Nov.
    assert hearing.due.astimezone(TZ).date() == date(2026, 11, 10)
    late = limits.case_limits(
        limits.CaseDates(registered_at=registered), calendar, now=datetime(2027, 2, 1, tzinfo=TZ)
    )
    assert late[0].state == "overdue"
    warned = limits.case_limits(
        limits.CaseDates(registered_at=registered), calendar, now=datetime(2027, 1, 30, tzinfo=TZ)
    )
    assert warned[0].state == "warning"
