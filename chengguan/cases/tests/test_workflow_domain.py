"""The case workflow table, checked against the standard's flow written out independently."""

from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from chengguan.accounts.roles import Role
from chengguan.cases.domain.limits import Limit, LimitUnit, parse_limit
from chengguan.cases.domain.workflow import (
    FINAL,
    Action,
    Clock,
    Level,
    Status,
    allowed_actions,
    case_number,
    check_transition,
    clocks_to_stop,
    escalate,
)
from chengguan.core.errors import DomainError, Forbidden

# The flow as the issue and CJJ/T 106 describe it: (status, action) → (next status, who).
S, A, R = Status, Action, Role
# Before dispatch a case may still turn out to be a duplicate or a police matter.
INTAKE_STAGES = (S.REPORTED, S.VERIFIED, S.REGISTERED)
FLOW = {
    (S.REPORTED, A.VERIFY): (S.VERIFIED, {R.INSPECTOR}),
    (S.REPORTED, A.VOID): (S.VOIDED, {R.OPERATOR, R.SHIFT_LEADER, R.INSPECTOR}),
    (S.VERIFIED, A.VOID): (S.VOIDED, {R.OPERATOR, R.SHIFT_LEADER, R.INSPECTOR}),
    (S.VERIFIED, A.REGISTER): (S.REGISTERED, {R.OPERATOR, R.SHIFT_LEADER}),
    (S.VERIFIED, A.REJECT): (S.REJECTED, {R.OPERATOR, R.SHIFT_LEADER}),
    (S.REGISTERED, A.DISPATCH): (S.DISPATCHED, {R.DISPATCHER}),
    (S.REGISTERED, A.DISPATCH_JOINT): (S.DISPATCHED, {R.DISPATCHER}),
    (S.DISPATCHED, A.PART_DONE): (S.DISPATCHED, {R.HANDLER}),
    (S.DISPATCHED, A.RETURN): (S.REGISTERED, {R.HANDLER}),
    (S.DISPATCHED, A.REASSIGN): (S.DISPATCHED, {R.DISPATCHER}),
    (S.DISPATCHED, A.REQUEST_EXTENSION): (S.DISPATCHED, {R.HANDLER}),
    (S.DISPATCHED, A.APPROVE_EXTENSION): (S.DISPATCHED, {R.DISPATCHER}),
    (S.DISPATCHED, A.REFUSE_EXTENSION): (S.DISPATCHED, {R.DISPATCHER}),
    (S.DISPATCHED, A.HANDLE): (S.HANDLED, {R.HANDLER}),
    (S.HANDLED, A.CHECK_PASS): (S.CHECKED, {R.INSPECTOR}),
    (S.HANDLED, A.CHECK_FAIL): (S.DISPATCHED, {R.INSPECTOR}),
    (S.CHECKED, A.CLOSE): (S.CLOSED, {R.SHIFT_LEADER}),
    (S.DISPATCHED, A.DEFER): (S.DEFERRED, {R.DISPATCHER, R.SHIFT_LEADER}),
    (S.DEFERRED, A.RESUME): (S.DISPATCHED, {R.DISPATCHER}),
    **{(s, A.MERGE): (S.MERGED, {R.OPERATOR, R.SHIFT_LEADER}) for s in INTAKE_STAGES},
    **{
        (s, A.REFER_POLICE): (S.REFERRED, {R.OPERATOR, R.SHIFT_LEADER, R.DISPATCHER})
        for s in INTAKE_STAGES
    },
    (S.CLOSED, A.REOPEN): (S.DISPATCHED, {R.OPERATOR}),
    **{
        (s, A.SUPERVISE): (s, {R.SHIFT_LEADER, R.DISPATCHER, R.LEADER})
        for s in Status
        if s not in FINAL
    },
    **{
        (s, A.MARK_COMPLEX): (s, {R.SHIFT_LEADER, R.DISPATCHER, R.HANDLER})
        for s in Status
        if s not in FINAL
    },
}
# Which clock runs while a case waits at each stage.
RUNNING = {
    S.REPORTED: Clock.VERIFY,
    S.VERIFIED: Clock.REGISTER,
    S.REGISTERED: Clock.DISPATCH,
    S.DISPATCHED: Clock.HANDLE,
    S.HANDLED: Clock.CHECK,
}
FULL_INPUT = {
    "reason": "原因",
    "agency": "agency-id",
    "feedback": "已清理",
    "hours": 8,
    "helpers": ["helper-id"],
    "target": "410106-20261127-000001",
}
EXTENSION_ACTIONS = {A.APPROVE_EXTENSION, A.REFUSE_EXTENSION}


class CaseFlow(RuleBasedStateMachine):
    """Random people try random actions; only the standard's flow may ever succeed, and the
    declared start/stop of clocks always leaves exactly the stage's clock running."""

    def __init__(self):
        super().__init__()
        self.status = Status.REPORTED
        self.running = {Clock.VERIFY}
        self.pending = False
        self.complex = False
        self.joint_open: int | None = None  # None: not a joint case
        self.transitions = 0

    @rule(
        action=st.sampled_from(list(Action)),
        roles=st.sets(st.sampled_from(list(Role)), max_size=3),
        complete=st.booleans(),
    )
    def act(self, action, roles, complete):
        given = FULL_INPUT if complete else {}
        legal = FLOW.get((self.status, action))
        try:
            t = check_transition(
                action,
                status=self.status,
                roles=roles,
                given=given,
                pending_extension=self.pending,
                complex_case=self.complex,
                open_joint_parts=self.joint_open,
            )
        except Forbidden:
            assert legal is None or not (legal[1] & roles)
            return
        except DomainError:
            extension_rule = (action in EXTENSION_ACTIONS and not self.pending) or (
                action is A.REQUEST_EXTENSION and self.pending
            )
            once_only = action is A.MARK_COMPLEX and self.complex
            joint_rule = (action is A.PART_DONE and not self.joint_open) or (
                action is A.HANDLE and bool(self.joint_open)
            )
            assert legal is None or extension_rule or once_only or joint_rule or not complete
            return
        assert legal is not None and legal[1] & roles, f"{action} succeeded from {self.status}"
        assert complete or not t.requires
        self.running -= clocks_to_stop(t, self.status)
        if t.starts:
            self.running.add(t.starts)
        self.pending = {
            A.REQUEST_EXTENSION: True,
            A.APPROVE_EXTENSION: False,
            A.REFUSE_EXTENSION: False,
        }.get(action, self.pending)
        if t.target is not None and t.target is not self.status:
            self.pending = False if t.target is not S.DISPATCHED else self.pending
            self.status = t.target
        assert self.status is legal[0]
        self.complex = self.complex or action is A.MARK_COMPLEX
        if action is A.DISPATCH_JOINT:
            self.joint_open = 1
        elif action is A.PART_DONE:
            self.joint_open = 0
        elif action is A.RETURN:
            self.joint_open = None
        self.transitions += 1

    @rule(data=st.data())
    def someone_entitled_acts(self, data):
        """Drive the case along the standard's flow, so every stage gets explored."""
        options = sorted(
            (a, who) for (status, a), (_next, who) in FLOW.items() if status is self.status
        )
        if not options:
            return
        action, who = data.draw(st.sampled_from(options))
        others = data.draw(st.sets(st.sampled_from(list(Role)), max_size=2))
        self.act(
            action=action,
            roles={data.draw(st.sampled_from(sorted(who))), *others},
            complete=data.draw(st.booleans()),
        )

    @rule(data=st.data())
    def someone_else_tries(self, data):
        """An action legal at this stage, by a person whose roles do not include it."""
        options = sorted(
            (a, who) for (status, a), (_next, who) in FLOW.items() if status is self.status
        )
        if not options:
            return
        action, who = data.draw(st.sampled_from(options))
        roles = data.draw(st.sets(st.sampled_from(sorted(set(Role) - who)), min_size=1, max_size=3))
        self.act(action=action, roles=roles, complete=True)

    @invariant()
    def exactly_the_stage_clock_runs(self):
        expected = {RUNNING[self.status]} if self.status in RUNNING else set()
        assert self.running == expected, (self.status, self.running)


TestCaseFlow = CaseFlow.TestCase
TestCaseFlow.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)


def test_full_journey_in_order():
    status = Status.REPORTED
    journey = [
        (A.VERIFY, R.INSPECTOR),
        (A.REGISTER, R.SHIFT_LEADER),
        (A.DISPATCH, R.DISPATCHER),
        (A.HANDLE, R.HANDLER),
        (A.CHECK_PASS, R.INSPECTOR),
        (A.CLOSE, R.SHIFT_LEADER),
    ]
    for action, role in journey:
        t = check_transition(action, status=status, roles={role}, given=FULL_INPUT)
        status = t.target
    assert status is Status.CLOSED


def test_handler_cannot_dispatch_and_says_why():
    with pytest.raises(Forbidden, match="派遣"):
        check_transition(A.DISPATCH, status=S.REGISTERED, roles={R.HANDLER}, given=FULL_INPUT)


def test_missing_reason_is_named():
    with pytest.raises(DomainError, match="请填写理由"):
        check_transition(
            A.REJECT, status=S.VERIFIED, roles={R.SHIFT_LEADER}, given={"reason": "  "}
        )


def test_closed_case_accepts_nothing():
    with pytest.raises(DomainError, match="已结案"):
        check_transition(A.SUPERVISE, status=S.CLOSED, roles={R.LEADER}, given=FULL_INPUT)


def test_buttons_follow_role_and_stage():
    assert allowed_actions(S.DISPATCHED, {R.HANDLER}, pending_extension=False) == [
        A.RETURN,
        A.REQUEST_EXTENSION,
        A.HANDLE,
        A.MARK_COMPLEX,
    ]
    assert A.MARK_COMPLEX not in allowed_actions(
        S.DISPATCHED, {R.HANDLER}, pending_extension=False, complex_case=True
    )
    assert A.APPROVE_EXTENSION in allowed_actions(
        S.DISPATCHED, {R.DISPATCHER}, pending_extension=True
    )
    assert A.APPROVE_EXTENSION not in allowed_actions(
        S.DISPATCHED, {R.DISPATCHER}, pending_extension=False
    )


def test_escalation_climbs_one_level_and_stops_at_the_city():
    assert escalate(Level.COMMUNITY) is Level.STREET
    assert escalate(Level.DISTRICT) is Level.CITY
    assert escalate(Level.CITY) is Level.CITY


def test_case_number_format():
    assert (
        case_number(region_code="410105", local_date_text="20261127", serial=123)
        == "410105-20261127-000123"
    )
    with pytest.raises(ValueError):
        case_number(region_code="4101", local_date_text="20261127", serial=1)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("4工作时", Limit(Decimal("4"), LimitUnit.WORKING_HOURS)),
        ("2工作日", Limit(Decimal("2"), LimitUnit.WORKING_DAYS)),
        (" 0.5 工作时", Limit(Decimal("0.5"), LimitUnit.WORKING_HOURS)),
        ("3小时", Limit(Decimal("3"), LimitUnit.CLOCK_HOURS)),
    ],
)
def test_limits_are_read_as_people_write_them(text, limit):
    assert parse_limit(text) == limit


@pytest.mark.parametrize(
    "text", ["", "4", "四工作时", "1.5工作日", "0工作时", "-2工作日", "9999工作日"]
)
def test_bad_limits_are_refused_with_the_text(text):
    with pytest.raises(DomainError):
        parse_limit(text)


def test_reopening_is_open_for_seven_natural_days_after_closure():
    from datetime import UTC, datetime, timedelta

    from chengguan.cases.domain.workflow import check_reopen_window

    closed = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    check_reopen_window(closed, closed + timedelta(days=7))  # the seventh day still counts
    with pytest.raises(DomainError, match="7"):
        check_reopen_window(closed, closed + timedelta(days=7, seconds=1))
    with pytest.raises(DomainError):
        check_reopen_window(None, closed)
