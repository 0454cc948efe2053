"""What each evaluation indicator counts, written once as querysets, and the reads behind
the rankings pages.

`indicator_spec` gives, for one indicator of one object kind and period, the rows counted
(`base`: cases, or timeline events of cases), which field names the object (`key`) and
which of those rows make the numerator (`numerator`, a Q on the same rows). The computation
(`kpi.evaluation`) groups them for all objects at once; the drill-down (`indicator_cases`)
filters the same rows for one object, so the list behind a number always has that number of
rows. Counted are cases (what happened to a case: registered, closed, reworked) or, for
what people and agencies do, acts (each dispatch, verification, check, handling,
registration or closing is one timeline event), so a case dispatched twice counts twice
for the dispatcher, and the drill-down lists it twice with the time of each act.

The period is evaluated as it stood at its end: a case counts as closed, reworked or voided
when that happened before the period ended, so recomputing a past month gives the same
figures whenever it is done.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import (
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import roles_of, scope_of
from chengguan.cases.domain.workflow import Action, Clock, Status
from chengguan.cases.models import Case, CaseEvent
from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.models import Deadline
from chengguan.core.selectors import SubjectId
from chengguan.kpi.domain.indicators import BY_KIND, Indicator, ObjectKind, Scoring
from chengguan.kpi.models import Evaluation, IndicatorValue, Period, SatisfactionScore

# ---------------------------------------------------------------- periods

MONTH, QUARTER = Period.MONTH.value, Period.QUARTER.value
QUARTER_MONTHS = (1, 4, 7, 10)


def period_end(period: str, start: date) -> date:
    """The first day after the period; refuses a start that does not begin a period."""
    if period == MONTH and start.day == 1:
        months = 1
    elif period == QUARTER and start.day == 1 and start.month in QUARTER_MONTHS:
        months = 3
    else:
        raise DomainError(
            gettext_noop("考核周期起始日无效：%(period)s %(start)s"), period=period, start=start
        )
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_window(period: str, start: date) -> tuple[datetime, datetime]:
    """[start, end) as aware datetimes at local midnight."""
    end = period_end(period, start)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time()), tz),
        timezone.make_aware(datetime.combine(end, time()), tz),
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def period_start_of(period: str, day: date) -> date:
    return month_start(day) if period == MONTH else quarter_start(day)


def previous_period_start(period: str, start: date) -> date:
    back = start - timedelta(days=1)
    return period_start_of(period, back)


def period_label(period: str, start: date) -> str:
    if period == MONTH:
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def period_parse(text: str) -> tuple[str, date]:
    """ "2026-11" → (month, 2026-11-01); "2026-Q4" → (quarter, 2026-10-01)."""
    text = (text or "").strip().upper()
    try:
        year, _, rest = text.partition("-")
        if rest.startswith("Q"):
            quarter = int(rest[1:])
            if not 1 <= quarter <= 4:
                raise ValueError
            return QUARTER, date(int(year), QUARTER_MONTHS[quarter - 1], 1)
        return MONTH, date(int(year), int(rest), 1)
    except ValueError:
        raise DomainError(
            gettext_noop("周期格式应为 YYYY-MM 或 YYYY-Qn：%(text)s"), text=text
        ) from None


# ---------------------------------------------------------------- the definitions

# "Public reports": everything the public brought in, not what the city found itself.
PUBLIC_CHANNELS = tuple(
    c for c in Case.Channel.values if c not in (Case.Channel.INSPECTOR, Case.Channel.SENSOR)
)
DISPATCH_ACTIONS = (Action.DISPATCH.value, Action.DISPATCH_JOINT.value)
ASSIGN_ACTIONS = (*DISPATCH_ACTIONS, Action.REASSIGN.value)
REWORK_ACTIONS = (Action.CHECK_FAIL.value, Action.REOPEN.value)
# A registered case that did not stay a case: merged as a duplicate, handed to the police,
# or voided (the workflow voids only before registration, so it cannot happen after).
UNDONE_ACTIONS = (Action.VOID.value, Action.MERGE.value, Action.REFER_POLICE.value)

# The tabs of the rankings: areas are ranked level by level (county codes have 6 digits,
# street codes 9).
AREA_LEVELS = {"county": 6, "street": 9}


@dataclass(frozen=True)
class Spec:
    """Rows counted for one indicator; the denominator is every row, the numerator those
    matching `numerator` (None: the indicator is a count, numerator = denominator)."""

    group: str  # specs of one group share `base` and `key`: counted in one query
    base: QuerySet  # Case rows (case_ref "pk") or CaseEvent rows (case_ref "case_id")
    case_ref: str
    key: str | None  # the field naming the object; None: by the object's territory
    numerator: Q | None

    @property
    def events(self) -> bool:
        return self.case_ref != "pk"


def _deadlines(outer: str, kind: str | None = None) -> QuerySet[Deadline]:
    rows = Deadline.objects.filter(subject_type="cases.case", subject_id=SubjectId(OuterRef(outer)))
    return rows.filter(kind=kind) if kind else rows


def clock_on_time_q(clock: Clock) -> Q:
    """On timeline events: the clock this event stopped (stopped at the event's time) had
    not run past its due time."""
    return Q(
        Exists(
            _deadlines("case_id", clock.value).filter(
                stopped_at=OuterRef("at"), stopped_at__lte=F("due_at")
            )
        )
    )


def case_on_time_q(end: datetime, *, prefix: str = "") -> Q:
    """No stage of the case ran late before `end`: not marked overdue, and none of its
    clocks stopped after its due time. (The overdue mark alone is reset by every
    transition, so the clocks are what show a stage that ran late.)"""
    outer = "case_id" if prefix else "pk"
    late = _deadlines(outer).filter(stopped_at__gt=F("due_at"), stopped_at__lt=end)
    return Q(**{f"{prefix}overdue": False}) & ~Q(Exists(late))


def closed_by_q(end: datetime, *, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": Status.CLOSED.value, f"{prefix}closed_at__lt": end})


def _events(actions, start: datetime, end: datetime, *, role: Role | None = None):
    rows = CaseEvent.objects.filter(action__in=list(actions), at__gte=start, at__lt=end)
    if role is not None:
        rows = rows.filter(actor_id__in=_role_users(role))
    return rows


def _role_users(role: Role):
    from chengguan.accounts.models import User

    return User.objects.filter(groups__name=role.value).values("pk")


def _event_before(outer: str, actions, end: datetime, **extra) -> Exists:
    return Exists(
        CaseEvent.objects.filter(
            case_id=OuterRef(outer), action__in=list(actions), at__lt=end, **extra
        )
    )


def registered_cases(start: datetime, end: datetime) -> QuerySet[Case]:
    """Cases registered (立案) in the period."""
    return Case.objects.filter(
        pk__in=_events([Action.REGISTER.value], start, end).values("case_id")
    )


def indicator_spec(
    kind: ObjectKind, code: str, start: datetime, end: datetime, *, level: str = "county"
) -> Spec | None:
    """The rows behind one indicator; None for an indicator this platform cannot measure."""
    kind = ObjectKind(kind)
    if kind is ObjectKind.AREA:
        key = "region_code" if level == "county" else "street_code"
        base = registered_cases(start, end)
        numerators = {
            "public_reports": Q(channel__in=PUBLIC_CHANNELS),
            "registered": None,
            "public_report_rate": Q(channel__in=PUBLIC_CHANNELS),
            "closing_rate": closed_by_q(end),
            "on_time_closing_rate": closed_by_q(end) & case_on_time_q(end),
        }
        return Spec("registered", base, "pk", key, numerators[code])
    if kind is ObjectKind.DEPARTMENT:
        if code == "on_time_handling_rate":
            handled = _events([Action.HANDLE.value], start, end).filter(case__agency__isnull=False)
            return Spec(
                "handled", handled, "case_id", "case__agency_id", clock_on_time_q(Clock.HANDLE)
            )
        assigned = Case.objects.filter(
            agency__isnull=False, pk__in=_events(ASSIGN_ACTIONS, start, end).values("case_id")
        )
        numerators = {
            "dispatched": None,
            "closing_rate": closed_by_q(end),
            "rework_rate": Q(_event_before("pk", REWORK_ACTIONS, end)),
        }
        return Spec("assigned", assigned, "pk", "agency_id", numerators[code])
    if kind is ObjectKind.INSPECTOR:
        if code == "valid_report_rate":
            reported = Case.objects.filter(
                channel=Case.Channel.INSPECTOR,
                reporter__isnull=False,
                reported_at__gte=start,
                reported_at__lt=end,
            )
            registered = Q(_event_before("pk", [Action.REGISTER.value], end))
            return Spec("reported", reported, "pk", "reporter_id", registered)
        if code == "missed_report_rate":
            return Spec(
                "territory",
                registered_cases(start, end),
                "pk",
                None,
                Q(channel__in=PUBLIC_CHANNELS),
            )
        if code == "on_time_verify_rate":
            verified = _events([Action.VERIFY.value], start, end)
            return Spec("verified", verified, "case_id", "actor_id", clock_on_time_q(Clock.VERIFY))
        if code == "on_time_check_rate":
            checked = _events([Action.CHECK_PASS.value, Action.CHECK_FAIL.value], start, end)
            return Spec("checked", checked, "case_id", "actor_id", clock_on_time_q(Clock.CHECK))
    if kind is ObjectKind.OPERATOR and code == "accepted":
        accepted = Case.objects.filter(
            reported_at__gte=start,
            reported_at__lt=end,
            reporter_id__in=_role_users(Role.OPERATOR),
        ).exclude(channel=Case.Channel.INSPECTOR)
        return Spec("accepted", accepted, "pk", "reporter_id", None)
    if kind is ObjectKind.SHIFT_LEADER:
        if code in ("on_time_register_rate", "accurate_register_rate"):
            registered = _events([Action.REGISTER.value], start, end, role=Role.SHIFT_LEADER)
            numerator = (
                clock_on_time_q(Clock.REGISTER)
                if code == "on_time_register_rate"
                else ~Q(_event_before("case_id", UNDONE_ACTIONS, end))
            )
            return Spec("registered", registered, "case_id", "actor_id", numerator)
        if code == "on_time_close_rate":
            closed = _events([Action.CLOSE.value], start, end, role=Role.SHIFT_LEADER)
            return Spec(
                "closed", closed, "case_id", "actor_id", case_on_time_q(end, prefix="case__")
            )
    if kind is ObjectKind.DISPATCHER:
        dispatched = _events(DISPATCH_ACTIONS, start, end)
        numerators = {
            "dispatch_count": None,
            "on_time_dispatch_rate": clock_on_time_q(Clock.DISPATCH),
            # not handed back by the agency afterwards: a return undoes the latest
            # dispatch before it (the case must be dispatched again before another return)
            "accurate_dispatch_rate": ~Q(
                _event_before("case_id", [Action.RETURN.value], end, at__gt=OuterRef("at"))
            ),
        }
        if code in numerators:
            return Spec("dispatched", dispatched, "case_id", "actor_id", numerators[code])
    return None


def territory_filter(user) -> Q | None:
    """Where an inspector works, as a filter on cases (None: nowhere)."""
    region = getattr(user, "region", None)
    if region is None:
        return None
    if region.kind == "city":
        return Q()
    if region.kind == "street":
        return Q(street_code=region.code)
    return Q(region_code=region.code)


# ---------------------------------------------------------------- the drill-down


def indicator_rows(spec: Spec, *, key: str, part: str, user=None) -> QuerySet:
    """The rows of `spec` counted for one object: cases, or the acts (events) on them."""
    rows = spec.base
    if spec.key is None:
        where = territory_filter(user)
        rows = rows.filter(where) if where is not None else rows.none()
    else:
        rows = rows.filter(**{spec.key: key})
    if part == "numerator" and spec.numerator is not None:
        rows = rows.filter(spec.numerator)
    return rows


def _object_user(key: str):
    from chengguan.accounts.models import User

    try:
        pk = UUID(key)
    except ValueError:
        return None
    return User.objects.select_related("region").filter(pk=pk).first()


def indicator_cases(
    *, period: str, start: date, kind: str, key: str, indicator: str, part: str
) -> QuerySet[Case]:
    """The cases behind one stored number: `part` "numerator" or "denominator" of one
    indicator of one object. Empty for a count scored in bands (its denominator is not a
    number of cases) and for what is not measured."""
    kind = ObjectKind("area" if kind in AREA_LEVELS else kind)
    item = next((i for i in BY_KIND[kind] if i.code == indicator), None)
    if item is None or part not in ("numerator", "denominator"):
        return Case.objects.none()
    if part == "denominator" and item.scoring is Scoring.BANDS:
        return Case.objects.none()
    begin, end = period_window(period, start)
    level = "street" if len(key) == AREA_LEVELS["street"] else "county"
    spec = indicator_spec(kind, indicator, begin, end, level=level)
    if spec is None:
        return Case.objects.none()
    user = _object_user(key) if spec.key is None else None
    rows = indicator_rows(spec, key=key, part=part, user=user)
    if not spec.events:
        return rows.annotate(event_at=Value(None, output_field=DateTimeField()))
    # One row per act: the join repeats a case acted on twice, with each act's time.
    return Case.objects.filter(events__in=rows.values("pk")).annotate(event_at=F("events__at"))


# ---------------------------------------------------------------- the pages' reads

ALLOWED_ROLES = frozenset(
    {Role.LEADER, Role.SHIFT_LEADER, Role.DISPATCHER, Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN}
)


def evaluation_allowed(user) -> bool:
    return bool(ALLOWED_ROLES & roles_of(user))


def _scoped(rows: QuerySet, user, *, area: bool = False) -> QuerySet:
    """A district user sees the objects of their district (a street user their street's
    area row, and the posts and departments of their district)."""
    scope = scope_of(user)
    if scope.city_wide:
        return rows
    if area and scope.street_code is not None:
        return rows.filter(object_key__in=[scope.street_code, scope.unit_code])
    return rows.filter(region_code=scope.unit_code)


def tab_filter(rows: QuerySet, tab: str) -> QuerySet:
    """Rows of one tab: areas split by level (the length of their code)."""
    if tab in AREA_LEVELS:
        from django.db.models.functions import Length

        return (
            rows.filter(object_kind=ObjectKind.AREA.value)
            .annotate(key_length=Length("object_key"))
            .filter(key_length=AREA_LEVELS[tab])
        )
    return rows.filter(object_kind=tab)


def evaluations_for(user, *, period: str, start: date, tab: str) -> QuerySet[Evaluation]:
    rows = Evaluation.objects.filter(period=period, period_start=start)
    rows = tab_filter(rows, tab)
    return _scoped(rows, user, area=tab in AREA_LEVELS).order_by(
        F("rank").asc(nulls_last=True), "object_name", "object_key"
    )


def indicator_values_for(user, *, period: str, start: date, tab: str) -> dict:
    """{object_key: {indicator code: IndicatorValue}} for the rows of one tab."""
    rows = _scoped(
        tab_filter(IndicatorValue.objects.filter(period=period, period_start=start), tab),
        user,
        area=tab in AREA_LEVELS,
    )
    found: dict[str, dict[str, IndicatorValue]] = {}
    for value in rows:
        found.setdefault(value.object_key, {})[value.indicator] = value
    return found


def object_visible(user, *, period: str, start: date, kind: str, key: str) -> bool:
    tab = kind
    if kind == ObjectKind.AREA.value:
        tab = "street" if len(key) == AREA_LEVELS["street"] else "county"
    rows = evaluations_for(user, period=period, start=start, tab=tab)
    return rows.filter(object_key=key).exists()


def periods_computed(period: str) -> list[date]:
    return list(
        Evaluation.objects.filter(period=period)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


def satisfaction_for(user, *, period: str, start: date) -> QuerySet[SatisfactionScore]:
    rows = SatisfactionScore.objects.filter(period=period, period_start=start).select_related(
        "agency"
    )
    scope = scope_of(user)
    if not scope.city_wide:
        rows = rows.filter(region_code=scope.unit_code)
    return rows.order_by(F("combined").desc(nulls_last=True), "agency__code")


def satisfaction_periods(period: str) -> list[date]:
    return list(
        SatisfactionScore.objects.filter(period=period)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


def indicator_by_code(kind: ObjectKind, code: str) -> Indicator | None:
    return next((i for i in BY_KIND[kind] if i.code == code), None)
