"""Every statutory time limit of one case, where it stands, for the case page and queues.

Computed from the case's own dates each time it is shown (nothing stored), so a calendar
correction or an approved extension moves every limit at once. Each limit says whether the
law counts working days (Art. 85) or natural days, and the article it comes from; the
arithmetic is `procedure`'s and `execution`'s, so the page and the gates never disagree.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from chengguan.core.errors import gettext_noop
from chengguan.core.workcal import WorkCalendar
from chengguan.penalties.domain import execution, procedure
from chengguan.penalties.domain.periods import local_date

# A limit is flagged this long before it runs out, or in the last third of a shorter one.
WARNING_BEFORE = timedelta(days=3)


class Counting(StrEnum):
    WORKING = "working"
    NATURAL = "natural"


COUNTING_LABELS = {
    Counting.WORKING: gettext_noop("工作日"),
    Counting.NATURAL: gettext_noop("自然日"),
}


class State(StrEnum):
    OPEN = "open"
    WARNING = "warning"
    OVERDUE = "overdue"
    MET = "met"
    LATE = "late"  # done, but after the limit
    LAPSED = "lapsed"  # the party's period ran out or no longer matters


STATE_LABELS = {
    State.OPEN: gettext_noop("进行中"),
    State.WARNING: gettext_noop("即将到期"),
    State.OVERDUE: gettext_noop("已超期"),
    State.MET: gettext_noop("按期完成"),
    State.LATE: gettext_noop("超期完成"),
    State.LAPSED: gettext_noop("已届满"),
}


@dataclass(frozen=True)
class Limit:
    key: str
    label: str
    basis: str
    days: int
    counting: Counting
    due: datetime  # the last instant (natural-day limits: the end of their last day)
    state: State
    done_at: datetime | None = None
    # The party's own right (asking for a hearing): it lapses, it is not "overdue" for the
    # agency. (An unpaid fine past its period is overdue: the agency must act on it.)
    party: bool = False


@dataclass(frozen=True)
class CaseDates:
    """The dates of one case the limits depend on (UTC instants, local dates)."""

    registered_at: datetime | None = None
    extension_until: date | None = None
    decided_at: datetime | None = None
    party_present: bool = False
    served_at: datetime | None = None
    notified_at: datetime | None = None
    hearing_requested_at: datetime | None = None
    payment_due: date | None = None
    deferred_until: date | None = None
    paid_at: datetime | None = None
    revoked_at: datetime | None = None
    withdrawn_at: datetime | None = None
    published_at: datetime | None = None
    preserved: tuple[tuple[str, datetime, datetime | None], ...] = field(default_factory=tuple)
    cash: tuple[tuple[str, datetime, datetime | None], ...] = field(default_factory=tuple)
    summary: bool = False


def _end_of(day: date, calendar: WorkCalendar) -> datetime:
    """The last instant of a local day, as an aware datetime."""
    tz = ZoneInfo(calendar.tz)
    return datetime.combine(day, time.max, tzinfo=tz)


def _state(start: datetime, due: datetime, done_at: datetime | None, now: datetime) -> State:
    if done_at is not None:
        return State.MET if done_at <= due else State.LATE
    if now > due:
        return State.OVERDUE
    if due - now <= min(WARNING_BEFORE, (due - start) / 3):
        return State.WARNING
    return State.OPEN


def case_limits(case: CaseDates, calendar: WorkCalendar, now: datetime) -> list[Limit]:
    """The limits that apply to the case so far, in the order the procedure meets them."""
    limits: list[Limit] = []

    def add(key, label, basis, days, counting, start, due, done_at, *, party=False, moot=False):
        state = _state(start, due, done_at, now)
        if party and done_at is None and (moot or state is State.OVERDUE):
            # The party let a right run out, or the case moved past it: nothing to chase.
            state = State.LAPSED
        limits.append(Limit(key, label, basis, days, counting, due, state, done_at, party))

    if case.registered_at is not None and not case.summary:
        registered_on = local_date(case.registered_at, calendar)
        extension = (
            procedure.Extension(until=case.extension_until, basis="approved")
            if case.extension_until
            else None
        )
        due_on = procedure.decision_due(registered_on, extension)
        add(
            "decision",
            gettext_noop("作出处罚决定"),
            gettext_noop("行政处罚法第六十条"),
            procedure.DECISION_DAYS,
            Counting.NATURAL,
            case.registered_at,
            _end_of(due_on, calendar),
            case.decided_at,
        )
    for title, preserved_at, decided_at in case.preserved:
        add(
            f"preservation:{title}",
            gettext_noop("先行登记保存证据处理"),
            gettext_noop("行政处罚法第五十六条"),
            7,
            Counting.WORKING,
            preserved_at,
            procedure.preservation_decision_due(preserved_at, calendar).at,
            decided_at,
        )
    if case.notified_at is not None:
        add(
            "hearing_request",
            gettext_noop("当事人申请听证"),
            gettext_noop("行政处罚法第六十四条"),
            5,
            Counting.WORKING,
            case.notified_at,
            _end_of(procedure.hearing_request_due(case.notified_at, calendar), calendar),
            case.hearing_requested_at,
            party=True,
            moot=case.decided_at is not None,
        )
    if case.decided_at is not None and not case.summary:
        add(
            "service",
            gettext_noop("送达处罚决定书"),
            gettext_noop("行政处罚法第六十一条"),
            0 if case.party_present else 7,
            Counting.WORKING,
            case.decided_at,
            procedure.service_due(
                case.decided_at, party_present=case.party_present, calendar=calendar
            ).at,
            case.served_at,
        )
        add(
            "publication",
            gettext_noop("公开处罚决定"),
            gettext_noop("政务公开标准目录（城市综合执法）"),
            procedure.PUBLICATION_WORKING_DAYS,
            Counting.WORKING,
            case.decided_at,
            procedure.publication_due(case.decided_at, calendar).at,
            case.published_at,
        )
    if case.payment_due is not None:
        last_day = case.deferred_until or case.payment_due
        add(
            "payment",
            gettext_noop("当事人缴纳罚款"),
            gettext_noop("行政处罚法第六十七条"),
            execution.PAYMENT_DAYS,
            Counting.NATURAL,
            case.served_at or case.decided_at,
            _end_of(last_day, calendar),
            case.paid_at,
        )
    for label, collected_at, handed_in_at in case.cash:
        add(
            f"hand_in:{label}",
            gettext_noop("当场收缴的罚款交至行政机关"),
            gettext_noop("行政处罚法第七十一条"),
            2,
            Counting.WORKING,
            collected_at,
            execution.hand_in_due(collected_at, calendar).at,
            handed_in_at,
        )
    if case.revoked_at is not None and case.published_at is not None:
        add(
            "withdrawal",
            gettext_noop("撤回已公开的处罚决定"),
            gettext_noop("行政处罚法第四十八条"),
            3,
            Counting.WORKING,
            case.revoked_at,
            procedure.withdrawal_due(case.revoked_at, calendar).at,
            case.withdrawn_at,
        )
    return limits


def late_fee_on(fine, payment_due: date, on: date, review_periods=()) -> tuple[int, object]:
    """Days late and the late fee (Art. 72) if the party paid on `on`."""
    days = execution.days_late(payment_due, on, review_periods)
    return days, execution.late_fee(fine, days)
