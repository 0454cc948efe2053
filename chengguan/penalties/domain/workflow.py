"""The stages of an administrative-penalty case as data, and who may move it.

Ordinary procedure (普通程序):

    investigating → notified ⇄ hearing → reviewing → decided → served → executed → closed → archived
                 ↘ (no penalty, with an education record) → closed

- Registration (立案) happens when the case is created, with at least two certified
  investigators, so a registered case is already under investigation.
- `notified` is after the notice of intended penalty; the party states and defends, or asks
  for a hearing within 5 working days (→ `hearing` until it is held or waived).
- `reviewing` is legal review (法制审核); sending back returns the case to `investigating`.
  Cases that need no review go from `notified` straight to the decision.
- After the decision the party is served; a fine is paid (→ `executed`) or the agency
  applies to the court (→ `executed` too, once the court's enforcement is recorded).
- Referral to the police or prosecutors ends the case at any open stage; a decision later
  found wrong is revoked (its publication is withdrawn).

Summary procedure (简易程序): decided on the spot (`decided`), paid or collected on the spot
(`executed`), filed with the agency (备案 → `closed`), archived.

Each action names the roles that may take it; the legal gates (two officers, notice before
decision, review, time limits) are in `procedure` and `execution` and are applied by the
services with the facts of the case.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from chengguan.accounts.roles import Role
from chengguan.core.errors import DomainError, Forbidden, gettext_noop


class Procedure(StrEnum):
    SUMMARY = "summary"
    ORDINARY = "ordinary"


PROCEDURE_LABELS = {
    Procedure.SUMMARY: gettext_noop("简易程序"),
    Procedure.ORDINARY: gettext_noop("普通程序"),
}


class Status(StrEnum):
    INVESTIGATING = "investigating"
    NOTIFIED = "notified"
    HEARING = "hearing"
    REVIEWING = "reviewing"
    DECIDED = "decided"
    SERVED = "served"
    EXECUTED = "executed"
    CLOSED = "closed"
    ARCHIVED = "archived"
    REFERRED = "referred"
    REVOKED = "revoked"


STATUS_LABELS = {
    Status.INVESTIGATING: gettext_noop("调查取证"),
    Status.NOTIFIED: gettext_noop("已告知"),
    Status.HEARING: gettext_noop("听证"),
    Status.REVIEWING: gettext_noop("法制审核"),
    Status.DECIDED: gettext_noop("已决定"),
    Status.SERVED: gettext_noop("已送达"),
    Status.EXECUTED: gettext_noop("已执行"),
    Status.CLOSED: gettext_noop("已结案"),
    Status.ARCHIVED: gettext_noop("已归档"),
    Status.REFERRED: gettext_noop("已移送"),
    Status.REVOKED: gettext_noop("已撤销"),
}
FINAL = frozenset({Status.ARCHIVED, Status.REFERRED, Status.REVOKED})
# Before a decision exists: the stages a referral can end.
BEFORE_DECISION = frozenset(
    {Status.INVESTIGATING, Status.NOTIFIED, Status.HEARING, Status.REVIEWING}
)


class Action(StrEnum):
    ADD_EVIDENCE = "add_evidence"
    DECIDE_PRESERVATION = "decide_preservation"
    NOTIFY = "notify"
    RECORD_STATEMENT = "record_statement"
    REQUEST_HEARING = "request_hearing"
    SCHEDULE_HEARING = "schedule_hearing"
    CONCLUDE_HEARING = "conclude_hearing"
    SUBMIT_REVIEW = "submit_review"
    REVIEW = "review"
    DELIBERATE = "deliberate"
    EXTEND = "extend"
    DECIDE = "decide"
    DECIDE_NO_PENALTY = "decide_no_penalty"
    SERVE = "serve"
    DEFER_PAYMENT = "defer_payment"
    RECORD_PAYMENT = "record_payment"
    HAND_IN_CASH = "hand_in_cash"
    APPLY_COURT = "apply_court"
    RECORD_COURT = "record_court"
    FILE = "file"
    CLOSE = "close"
    ARCHIVE = "archive"
    REFER = "refer"
    REVOKE = "revoke"


ACTION_LABELS = {
    Action.ADD_EVIDENCE: gettext_noop("登记证据"),
    Action.DECIDE_PRESERVATION: gettext_noop("先行登记保存处理决定"),
    Action.NOTIFY: gettext_noop("事先告知"),
    Action.RECORD_STATEMENT: gettext_noop("记录陈述申辩"),
    Action.REQUEST_HEARING: gettext_noop("登记听证申请"),
    Action.SCHEDULE_HEARING: gettext_noop("安排听证"),
    Action.CONCLUDE_HEARING: gettext_noop("听证结束"),
    Action.SUBMIT_REVIEW: gettext_noop("提交法制审核"),
    Action.REVIEW: gettext_noop("法制审核"),
    Action.DELIBERATE: gettext_noop("集体讨论"),
    Action.EXTEND: gettext_noop("延长办案期限"),
    Action.DECIDE: gettext_noop("作出处罚决定"),
    Action.DECIDE_NO_PENALTY: gettext_noop("不予处罚"),
    Action.SERVE: gettext_noop("送达"),
    Action.DEFER_PAYMENT: gettext_noop("暂缓或分期缴纳"),
    Action.RECORD_PAYMENT: gettext_noop("登记缴款"),
    Action.HAND_IN_CASH: gettext_noop("当场收缴罚款上交"),
    Action.APPLY_COURT: gettext_noop("申请法院强制执行"),
    Action.RECORD_COURT: gettext_noop("登记法院执行结果"),
    Action.FILE: gettext_noop("备案"),
    Action.CLOSE: gettext_noop("结案"),
    Action.ARCHIVE: gettext_noop("归档"),
    Action.REFER: gettext_noop("移送"),
    Action.REVOKE: gettext_noop("撤销决定"),
}

OFFICER = frozenset({Role.OFFICER})
REVIEWER = frozenset({Role.LEGAL_REVIEWER})
# The bank's confirmation arrives through a signed endpoint, not a person: it acts as
# the system, which the service passes as role None.
SYSTEM = frozenset({None})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change
    roles: frozenset
    procedures: frozenset[Procedure] = frozenset(Procedure)


def _t(sources, target, roles=OFFICER, procedures=frozenset(Procedure)) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles), frozenset(procedures))


ORDINARY = frozenset({Procedure.ORDINARY})
SUMMARY = frozenset({Procedure.SUMMARY})
S = Status

TRANSITIONS: dict[Action, Transition] = {
    Action.ADD_EVIDENCE: _t({S.INVESTIGATING, S.NOTIFIED, S.HEARING}, None, procedures=ORDINARY),
    Action.DECIDE_PRESERVATION: _t(
        {S.INVESTIGATING, S.NOTIFIED, S.HEARING, S.REVIEWING, S.DECIDED}, None, procedures=ORDINARY
    ),
    Action.NOTIFY: _t({S.INVESTIGATING}, S.NOTIFIED, procedures=ORDINARY),
    Action.RECORD_STATEMENT: _t({S.NOTIFIED}, None, procedures=ORDINARY),
    Action.REQUEST_HEARING: _t({S.NOTIFIED}, S.HEARING, procedures=ORDINARY),
    Action.SCHEDULE_HEARING: _t({S.HEARING}, None, procedures=ORDINARY),
    Action.CONCLUDE_HEARING: _t({S.HEARING}, S.NOTIFIED, procedures=ORDINARY),
    Action.SUBMIT_REVIEW: _t({S.NOTIFIED}, S.REVIEWING, procedures=ORDINARY),
    # Passing keeps the case in `reviewing` until the decision; sending back reopens the
    # investigation (the service picks the target).
    Action.REVIEW: _t({S.REVIEWING}, None, REVIEWER, ORDINARY),
    Action.DELIBERATE: _t({S.NOTIFIED, S.REVIEWING}, None, procedures=ORDINARY),
    Action.EXTEND: _t(BEFORE_DECISION, None, procedures=ORDINARY),
    Action.DECIDE: _t({S.NOTIFIED, S.REVIEWING}, S.DECIDED, procedures=ORDINARY),
    Action.DECIDE_NO_PENALTY: _t(
        {S.INVESTIGATING, S.NOTIFIED, S.REVIEWING}, S.CLOSED, procedures=ORDINARY
    ),
    Action.SERVE: _t({S.DECIDED}, S.SERVED, procedures=ORDINARY),
    Action.DEFER_PAYMENT: _t({S.SERVED}, None, procedures=ORDINARY),
    Action.RECORD_PAYMENT: _t({S.SERVED, S.DECIDED}, S.EXECUTED, OFFICER | SYSTEM),
    Action.HAND_IN_CASH: _t({S.EXECUTED, S.CLOSED}, None, procedures=SUMMARY),
    Action.APPLY_COURT: _t({S.SERVED}, None, procedures=ORDINARY),
    Action.RECORD_COURT: _t({S.SERVED}, S.EXECUTED, procedures=ORDINARY),
    Action.FILE: _t({S.EXECUTED, S.DECIDED}, None, procedures=SUMMARY),
    Action.CLOSE: _t({S.EXECUTED}, S.CLOSED),
    Action.ARCHIVE: _t({S.CLOSED}, S.ARCHIVED),
    Action.REFER: _t(BEFORE_DECISION, S.REFERRED, procedures=ORDINARY),
    Action.REVOKE: _t({S.DECIDED, S.SERVED, S.EXECUTED, S.CLOSED}, S.REVOKED),
}


def check_transition(
    action: Action, *, procedure: Procedure, status: Status, roles: Iterable
) -> Transition:
    """The transition to apply, or Forbidden / DomainError saying why not."""
    transition = TRANSITIONS[action]
    if not transition.roles.intersection(roles):
        raise Forbidden(gettext_noop("您的岗位不能执行“%(action)s”"), action=ACTION_LABELS[action])
    if procedure not in transition.procedures:
        raise DomainError(
            gettext_noop("%(procedure)s案件没有“%(action)s”这一步"),
            procedure=PROCEDURE_LABELS[procedure],
            action=ACTION_LABELS[action],
        )
    if status not in transition.sources:
        raise DomainError(
            gettext_noop("案件当前为“%(status)s”，不能执行“%(action)s”"),
            status=STATUS_LABELS[status],
            action=ACTION_LABELS[action],
        )
    return transition


def actions_available(*, procedure: Procedure, status: Status, roles: Iterable) -> list[Action]:
    """The actions the roles may take now, in workflow order (the case page's buttons)."""
    roles = frozenset(roles)
    return [
        action
        for action, t in TRANSITIONS.items()
        if status in t.sources and procedure in t.procedures and t.roles & roles
    ]


def case_number_parts(number: str) -> tuple[str, int, int]:
    """(region code, year, serial) of a case number made by `case_number`."""
    region, year, serial = number.removeprefix("P").split("-")
    return region, int(year), int(serial)


def case_number(region_code: str, year: int, serial: int) -> str:
    """The platform's number of a penalty case, e.g. P410105-2026-00012 (documents carry
    their own per-agency numbers, see `documents`)."""
    return f"P{region_code}-{year}-{serial:05d}"
