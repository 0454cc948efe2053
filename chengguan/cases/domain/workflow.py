"""The case workflow of digital city management (CJJ/T 106, GB/T 30428) as data.

reported → verified → registered → dispatched → handled → checked → closed, with reject and
void on the way in, return / reassign / extension / defer while dispatched, rework when the
check fails, and supervise (督办) at any open stage. Each transition names the roles that
may take it, the input it requires, and the clocks (deadlines) it starts and stops; the
service layer applies it in one transaction with its ledger entry and outbox event.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from chengguan.accounts.roles import Role
from chengguan.core.errors import DomainError, Forbidden, gettext_noop


class Status(StrEnum):
    REPORTED = "reported"
    VERIFIED = "verified"
    REGISTERED = "registered"
    REJECTED = "rejected"
    VOIDED = "voided"
    DISPATCHED = "dispatched"
    HANDLED = "handled"
    CHECKED = "checked"
    CLOSED = "closed"
    DEFERRED = "deferred"
    MERGED = "merged"
    REFERRED = "referred"


STATUS_LABELS = {
    Status.REPORTED: gettext_noop("待核实"),
    Status.VERIFIED: gettext_noop("待立案"),
    Status.REGISTERED: gettext_noop("待派遣"),
    Status.REJECTED: gettext_noop("不予立案"),
    Status.VOIDED: gettext_noop("已作废"),
    Status.DISPATCHED: gettext_noop("处置中"),
    Status.HANDLED: gettext_noop("待核查"),
    Status.CHECKED: gettext_noop("待结案"),
    Status.CLOSED: gettext_noop("已结案"),
    Status.DEFERRED: gettext_noop("挂账"),
    Status.MERGED: gettext_noop("已合并"),
    Status.REFERRED: gettext_noop("已移交公安"),
}
FINAL = frozenset({Status.REJECTED, Status.VOIDED, Status.CLOSED, Status.MERGED, Status.REFERRED})
OPEN = frozenset(Status) - FINAL


class Clock(StrEnum):
    """The time limits of one case; each runs while its stage is in hand."""

    VERIFY = "verify"
    REGISTER = "register"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    CHECK = "check"


CLOCK_LABELS = {
    Clock.VERIFY: gettext_noop("核实时限"),
    Clock.REGISTER: gettext_noop("立案时限"),
    Clock.DISPATCH: gettext_noop("派遣时限"),
    Clock.HANDLE: gettext_noop("处置时限"),
    Clock.CHECK: gettext_noop("核查时限"),
}


class Action(StrEnum):
    VERIFY = "verify"
    VOID = "void"
    REGISTER = "register"
    REJECT = "reject"
    DISPATCH = "dispatch"
    RETURN = "return"
    REASSIGN = "reassign"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    HANDLE = "handle"
    CHECK_PASS = "check_pass"
    CHECK_FAIL = "check_fail"
    CLOSE = "close"
    DEFER = "defer"
    RESUME = "resume"
    SUPERVISE = "supervise"
    MARK_COMPLEX = "mark_complex"
    DISPATCH_JOINT = "dispatch_joint"
    PART_DONE = "part_done"
    MERGE = "merge"
    REFER_POLICE = "refer_police"
    REOPEN = "reopen"


ACTION_LABELS = {
    Action.VERIFY: gettext_noop("核实"),
    Action.VOID: gettext_noop("作废"),
    Action.REGISTER: gettext_noop("立案"),
    Action.REJECT: gettext_noop("不予立案"),
    Action.DISPATCH: gettext_noop("派遣"),
    Action.RETURN: gettext_noop("回退"),
    Action.REASSIGN: gettext_noop("改派"),
    Action.REQUEST_EXTENSION: gettext_noop("申请延期"),
    Action.APPROVE_EXTENSION: gettext_noop("批准延期"),
    Action.REFUSE_EXTENSION: gettext_noop("不批准延期"),
    Action.HANDLE: gettext_noop("处置反馈"),
    Action.CHECK_PASS: gettext_noop("核查通过"),
    Action.CHECK_FAIL: gettext_noop("核查不通过（返工）"),
    Action.CLOSE: gettext_noop("结案"),
    Action.DEFER: gettext_noop("挂账"),
    Action.RESUME: gettext_noop("恢复处置"),
    Action.SUPERVISE: gettext_noop("督办"),
    Action.MARK_COMPLEX: gettext_noop("标记疑难复杂（升级）"),
    Action.DISPATCH_JOINT: gettext_noop("联合执法派遣"),
    Action.PART_DONE: gettext_noop("协办完成"),
    Action.MERGE: gettext_noop("合并为重复案卷"),
    Action.REFER_POLICE: gettext_noop("移交公安（110）"),
    Action.REOPEN: gettext_noop("重新办理（群众反映未解决）"),
}

# Timeline events that are not workflow actions.
EVENT_LABELS = {
    "reported": gettext_noop("上报"),
    "comment": gettext_noop("补充说明"),
    "reporter_joined": gettext_noop("新增反映人"),
    "enforcement": gettext_noop("执法处理"),
}


def event_label(action: str) -> str:
    """The (untranslated) label of a timeline event: an action's, or a non-action event's;
    an unknown code is shown as it is."""
    if action in Action._value2member_map_:
        return ACTION_LABELS[Action(action)]
    return EVENT_LABELS.get(action, action)


FIELD_LABELS = {
    "reason": gettext_noop("理由"),
    "agency": gettext_noop("处置单位"),
    "feedback": gettext_noop("处置情况"),
    "hours": gettext_noop("延期时长"),
    "helpers": gettext_noop("协办单位"),
    "target": gettext_noop("合并到的案卷"),
}


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: the status does not change
    roles: frozenset[Role]
    requires: frozenset[str] = frozenset()
    starts: Clock | None = None
    stops: Clock | None = None
    needs_pending_extension: bool | None = None  # True/False: must (not) have a request open
    only_if_not_complex: bool = False
    joint_only: bool = False  # only on a case dispatched to several agencies


def _t(
    action,
    sources,
    target,
    roles,
    requires=(),
    starts=None,
    stops=None,
    pending=None,
    only_if_not_complex=False,
    joint_only=False,
):
    return Transition(
        action,
        frozenset(sources),
        target,
        frozenset(roles),
        frozenset(requires),
        starts,
        stops,
        pending,
        only_if_not_complex,
        joint_only,
    )


R = Role
S = Status
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        _t(
            Action.VERIFY,
            [S.REPORTED],
            S.VERIFIED,
            [R.INSPECTOR],
            starts=Clock.REGISTER,
            stops=Clock.VERIFY,
        ),
        _t(
            Action.VOID,
            [S.REPORTED, S.VERIFIED],
            S.VOIDED,
            [R.OPERATOR, R.SHIFT_LEADER, R.INSPECTOR],
            requires=["reason"],
            stops=None,
        ),
        _t(
            Action.REGISTER,
            [S.VERIFIED],
            S.REGISTERED,
            [R.OPERATOR, R.SHIFT_LEADER],
            starts=Clock.DISPATCH,
            stops=Clock.REGISTER,
        ),
        _t(
            Action.REJECT,
            [S.VERIFIED],
            S.REJECTED,
            [R.OPERATOR, R.SHIFT_LEADER],
            requires=["reason"],
            stops=Clock.REGISTER,
        ),
        _t(
            Action.DISPATCH,
            [S.REGISTERED],
            S.DISPATCHED,
            [R.DISPATCHER],
            requires=["agency"],
            starts=Clock.HANDLE,
            stops=Clock.DISPATCH,
        ),
        _t(
            Action.RETURN,
            [S.DISPATCHED],
            S.REGISTERED,
            [R.HANDLER],
            requires=["reason"],
            starts=Clock.DISPATCH,
            stops=Clock.HANDLE,
        ),
        _t(
            Action.REASSIGN,
            [S.DISPATCHED],
            None,
            [R.DISPATCHER],
            requires=["agency", "reason"],
            starts=Clock.HANDLE,
            stops=Clock.HANDLE,
        ),
        _t(
            Action.REQUEST_EXTENSION,
            [S.DISPATCHED],
            None,
            [R.HANDLER],
            requires=["reason", "hours"],
            pending=False,
        ),
        _t(Action.APPROVE_EXTENSION, [S.DISPATCHED], None, [R.DISPATCHER], pending=True),
        _t(
            Action.REFUSE_EXTENSION,
            [S.DISPATCHED],
            None,
            [R.DISPATCHER],
            requires=["reason"],
            pending=True,
        ),
        _t(
            Action.HANDLE,
            [S.DISPATCHED],
            S.HANDLED,
            [R.HANDLER],
            requires=["feedback"],
            starts=Clock.CHECK,
            stops=Clock.HANDLE,
        ),
        _t(Action.CHECK_PASS, [S.HANDLED], S.CHECKED, [R.INSPECTOR], stops=Clock.CHECK),
        _t(
            Action.CHECK_FAIL,
            [S.HANDLED],
            S.DISPATCHED,
            [R.INSPECTOR],
            requires=["reason"],
            starts=Clock.HANDLE,
            stops=Clock.CHECK,
        ),
        _t(Action.CLOSE, [S.CHECKED], S.CLOSED, [R.SHIFT_LEADER]),
        _t(
            Action.DEFER,
            [S.DISPATCHED],
            S.DEFERRED,
            [R.DISPATCHER, R.SHIFT_LEADER],
            requires=["reason"],
            stops=Clock.HANDLE,
        ),
        _t(Action.RESUME, [S.DEFERRED], S.DISPATCHED, [R.DISPATCHER], starts=Clock.HANDLE),
        _t(
            Action.SUPERVISE,
            OPEN,
            None,
            [R.SHIFT_LEADER, R.DISPATCHER, R.LEADER],
            requires=["reason"],
        ),
        # Joint enforcement: one case, a lead agency and helpers; the lead reports the case
        # handled only when every helper has reported its part done.
        _t(
            Action.DISPATCH_JOINT,
            [S.REGISTERED],
            S.DISPATCHED,
            [R.DISPATCHER],
            requires=["agency", "helpers"],
            starts=Clock.HANDLE,
            stops=Clock.DISPATCH,
        ),
        _t(
            Action.PART_DONE,
            [S.DISPATCHED],
            None,
            [R.HANDLER],
            requires=["feedback"],
            joint_only=True,
        ),
        # A case too hard for its level goes one level up with a 督办 notice, once.
        _t(
            Action.MARK_COMPLEX,
            OPEN,
            None,
            [R.SHIFT_LEADER, R.DISPATCHER, R.HANDLER],
            requires=["reason"],
            only_if_not_complex=True,
        ),
        # Intake: a duplicate joins the earlier case (its reporters follow it); a police
        # matter goes to 110; a reporter whose problem was not fixed reopens the case.
        _t(
            Action.MERGE,
            [S.REPORTED, S.VERIFIED, S.REGISTERED],
            S.MERGED,
            [R.OPERATOR, R.SHIFT_LEADER],
            requires=["target"],
        ),
        _t(
            Action.REFER_POLICE,
            [S.REPORTED, S.VERIFIED, S.REGISTERED],
            S.REFERRED,
            [R.OPERATOR, R.SHIFT_LEADER, R.DISPATCHER],
            requires=["reason"],
        ),
        _t(
            Action.REOPEN,
            [S.CLOSED],
            S.DISPATCHED,
            [R.OPERATOR],
            requires=["reason"],
            starts=Clock.HANDLE,
        ),
    ]
}

# A citizen may reopen a closed case for this many natural days after closure.
REOPEN_DAYS = 7


def check_reopen_window(closed_at: datetime | None, now: datetime) -> None:
    """Refuse a reopening more than REOPEN_DAYS natural days after the case was closed."""
    if closed_at is None or now - closed_at > timedelta(days=REOPEN_DAYS):
        raise DomainError(
            gettext_noop("结案已超过 %(days)s 天，不能重新办理；如问题仍在，请重新上报"),
            days=REOPEN_DAYS,
        )


# A void stops whichever clock was running at the stage it leaves.
STAGE_CLOCK = {
    S.REPORTED: Clock.VERIFY,
    S.VERIFIED: Clock.REGISTER,
    S.REGISTERED: Clock.DISPATCH,
    S.DISPATCHED: Clock.HANDLE,
    S.HANDLED: Clock.CHECK,
}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_transition(
    action: Action,
    *,
    status: Status,
    roles: Iterable[Role],
    given: Mapping[str, object],
    pending_extension: bool = False,
    complex_case: bool = False,
    open_joint_parts: int | None = None,
) -> Transition:
    """The transition to apply, or a DomainError / Forbidden saying why not."""
    transition = TRANSITIONS[action]
    if not transition.roles.intersection(roles):
        raise Forbidden(gettext_noop("您的岗位不能执行“%(action)s”"), action=ACTION_LABELS[action])
    if status not in transition.sources:
        raise DomainError(
            gettext_noop("案卷当前状态为“%(status)s”，不能执行“%(action)s”"),
            status=STATUS_LABELS[status],
            action=ACTION_LABELS[action],
        )
    if transition.needs_pending_extension is True and not pending_extension:
        raise DomainError(gettext_noop("没有待审批的延期申请"))
    if transition.needs_pending_extension is False and pending_extension:
        raise DomainError(gettext_noop("已有延期申请待审批，请等待派遣员处理"))
    if transition.only_if_not_complex and complex_case:
        raise DomainError(gettext_noop("该案卷已标记为疑难复杂"))
    if transition.joint_only and open_joint_parts is None:
        raise DomainError(gettext_noop("该案卷不是联合执法案卷"))
    if action is Action.PART_DONE and not open_joint_parts:
        raise DomainError(gettext_noop("协办任务均已完成"))
    if action is Action.HANDLE and open_joint_parts:
        raise DomainError(gettext_noop("联合执法尚有 %(n)s 个协办单位未完成"), n=open_joint_parts)
    for name in sorted(transition.requires):
        if _missing(given.get(name)):
            raise DomainError(gettext_noop("请填写%(field)s"), field=FIELD_LABELS[name])
    return transition


# Actions that end a case wherever it stands stop the clock of that stage.
ENDING_ACTIONS = frozenset({Action.VOID, Action.MERGE, Action.REFER_POLICE})


def clocks_to_stop(transition: Transition, status: Status) -> frozenset[Clock]:
    if transition.action in ENDING_ACTIONS:
        return frozenset({STAGE_CLOCK[status]}) if status in STAGE_CLOCK else frozenset()
    return frozenset({transition.stops}) if transition.stops else frozenset()


def allowed_actions(
    status: Status,
    roles: Iterable[Role],
    *,
    pending_extension: bool,
    complex_case: bool = False,
    open_joint_parts: int | None = None,
) -> list[Action]:
    """What the user may do now, for the buttons on the case page."""
    roles = frozenset(roles)
    found = []
    for action, t in TRANSITIONS.items():
        if status not in t.sources or not (t.roles & roles):
            continue
        if t.needs_pending_extension is not None and t.needs_pending_extension != pending_extension:
            continue
        if t.only_if_not_complex and complex_case:
            continue
        if t.joint_only and not open_joint_parts:
            continue
        if action is Action.HANDLE and open_joint_parts:
            continue
        found.append(action)
    return found


def needs_own_agency(action: Action, roles: Iterable[Role]) -> bool:
    """True when these roles allow the action only as a handler: then it is for the tasks of
    the handler's own agency (and the units it leads) only."""
    allowed = TRANSITIONS[action].roles
    return Role.HANDLER in allowed and not (allowed - {Role.HANDLER}) & frozenset(roles)


class Level(IntEnum):
    """Four-level linkage (四级联动): where a case is handled and supervised."""

    COMMUNITY = 1
    STREET = 2
    DISTRICT = 3
    CITY = 4


LEVEL_LABELS = {
    Level.COMMUNITY: gettext_noop("社区"),
    Level.STREET: gettext_noop("街道"),
    Level.DISTRICT: gettext_noop("区"),
    Level.CITY: gettext_noop("市"),
}


def escalate(level: Level) -> Level:
    """One level up, never beyond the city."""
    return Level(min(level + 1, Level.CITY))


def case_number(*, region_code: str, local_date_text: str, serial: int) -> str:
    """410105-20261127-000123: county, local date, a per-county-and-day serial."""
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise ValueError("region_code must be a 6-digit county code")
    if not 1 <= serial <= 999_999:
        raise ValueError("serial out of range")
    return f"{region_code}-{local_date_text}-{serial:06d}"
