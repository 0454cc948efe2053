"""Reads on cases: routing suggestions, what a user may see, the queues of each role."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import AGENCY_BOUND_KINDS, agency_family, roles_of, scope_of
from chengguan.cases.domain.channels import CHANNEL_LABELS, channels_for
from chengguan.cases.domain.workflow import (
    CLOCK_LABELS,
    LEVEL_LABELS,
    OPEN,
    STATUS_LABELS,
    Action,
    Level,
    Status,
    allowed_actions,
    event_label,
    needs_own_agency,
)
from chengguan.cases.models import (
    DISPATCH_WAITING,
    Case,
    CaseEvent,
    CasePart,
    Category,
    Notice,
    Responsibility,
)
from chengguan.core.errors import gettext_noop
from chengguan.core.models import Deadline
from chengguan.core.selectors import work_calendar
from chengguan.org.models import Agency, Region
from chengguan.org.selectors import regions_visible


@dataclass(frozen=True)
class Suggestion:
    agency_id: Any | None
    reason: str

    @property
    def agency(self) -> Agency | None:
        return Agency.objects.get(pk=self.agency_id) if self.agency_id else None


def suggest_agency(
    *, category: Category, grid, street_code: str, unit_code: str, on: date
) -> Suggestion:
    """Responsibility matrix: the most specific valid row wins (grid, then street, then
    county-level unit; a named category before its major class before "all"), then priority.
    `grid` is a Grid or its id. Every report runs this, so it reads plain values, not model
    objects with four related ones each."""
    rows = (
        Responsibility.objects.filter(
            Q(grid=grid) | Q(region__code__in=[street_code, unit_code]) | Q(region__kind="city")
        )
        .filter(
            Q(category=category)
            | Q(category__isnull=True, major_code=category.major_code)
            | Q(category__isnull=True, major_code="")
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(agency__active=True)
        .order_by("pk")  # equal ranks: the same answer every time
        .values(
            "agency_id",
            "grid_id",
            "grid__code",
            "region__code",
            "region__name",
            "category_id",
            "category__name",
            "major_code",
            "priority",
        )
    )

    def rank(r: dict):
        # A named category beats a major class beats "all" (a utility's own manholes go to
        # the utility city-wide); then grid, street, county-level unit, city; then priority.
        what = 0 if r["category_id"] else (1 if r["major_code"] else 2)
        place = 0 if r["grid_id"] else {street_code: 1, unit_code: 2}.get(r["region__code"], 3)
        return (what, place, r["priority"])

    best = min(rows, key=rank, default=None)
    if best is None:
        return Suggestion(None, "责任划分中无匹配，转市级分拨")
    place = f"网格 {best['grid__code']}" if best["grid_id"] else best["region__name"]
    what = (
        best["category__name"]
        if best["category_id"]
        else (f"大类 {category.major_name}" if best["major_code"] else "全部类别")
    )
    return Suggestion(best["agency_id"], f"责任划分：{place} × {what}（优先级 {best['priority']}）")


def cases_visible(user) -> QuerySet[Case]:
    """Cases inside the user's territory; staff of a department or contractor see only the
    cases dispatched to their agency."""
    scope = scope_of(user)
    cases = Case.objects.all()
    if scope.agency_ids is not None:  # the lead's cases and those it helps in
        cases = cases.filter(
            Q(agency_id__in=scope.agency_ids)
            | Q(pk__in=CasePart.objects.filter(agency_id__in=scope.agency_ids).values("case_id"))
        )
    if scope.city_wide:
        return cases
    if scope.street_code is not None:
        return cases.filter(street_code=scope.street_code)
    return cases.filter(region_code=scope.unit_code)


def handler_agencies(user) -> frozenset:
    """The agencies whose tasks a handler may act on: their own and those it leads
    (cached on the user object for the request)."""
    if user.agency_id is None:
        return frozenset()
    cached = getattr(user, "_handler_agencies", None)
    if cached is None:
        cached = user._handler_agencies = agency_family(user.agency_id)
    return cached


QUEUE_STATUSES = {
    Role.OPERATOR: [Status.REPORTED, Status.VERIFIED],
    Role.SHIFT_LEADER: [Status.VERIFIED, Status.CHECKED],
    Role.DISPATCHER: [Status.REGISTERED, Status.DISPATCHED, Status.DEFERRED],
    Role.HANDLER: [Status.DISPATCHED],
    Role.INSPECTOR: [Status.REPORTED, Status.HANDLED],
}


def queue_for(user, role: Role) -> QuerySet[Case]:
    """A role's work list, oldest first; the dispatcher's dispatched cases are only those
    waiting for an extension decision. Roles without a queue get an empty one."""
    if role not in roles_of(user) or role not in QUEUE_STATUSES:
        return Case.objects.none()
    if role is Role.DISPATCHER:  # the same condition as the partial indexes
        cases = cases_visible(user).filter(DISPATCH_WAITING)
    else:
        cases = cases_visible(user).filter(status__in=QUEUE_STATUSES[role])
    if role is Role.HANDLER:
        mine = handler_agencies(user)
        helping = CasePart.objects.filter(agency_id__in=mine, lead=False, done_at__isnull=True)
        cases = cases.filter(Q(agency_id__in=mine) | Q(pk__in=helping.values("case_id")))
    return cases.select_related("category", "agency").order_by("reported_at")


def open_deadlines(case: Case) -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        subject_type="cases.case", subject_id=str(case.pk), stopped_at__isnull=True
    ).order_by("due_at")


def notices_for(user) -> QuerySet[Notice]:
    scope = scope_of(user)
    notices = Notice.objects.select_related("case")
    mine = Q(agency_id=user.agency_id) if user.agency_id else Q(pk__in=[])
    if user.agency and user.agency.kind in AGENCY_BOUND_KINDS:
        return notices.filter(mine)
    if scope.city_wide:
        area = Q(agency__isnull=True)
    elif scope.unit_code:
        area = Q(agency__isnull=True, region_code=scope.unit_code)
    else:
        area = Q(pk__in=[])
    return notices.filter(mine | area)


# ---------------------------------------------------------------- the console (server-rendered)
# Reads behind /cases/: the tabs of "my work", their filters, the running clock of each row
# as a countdown, the timeline of a case, the agencies a dispatcher may choose.

CONSOLE_ROLES = frozenset(
    {
        Role.INSPECTOR,
        Role.OPERATOR,
        Role.SHIFT_LEADER,
        Role.DISPATCHER,
        Role.HANDLER,
        Role.OFFICER,
        Role.LEADER,
        Role.AUDIT_ADMIN,
    }
)
PAGE_SIZE = 25
METRES_PER_DEGREE = 111_320.0

TRIAGE_LABEL = gettext_noop("市级分拨")


@dataclass(frozen=True)
class Queue:
    """One tab of "my work": who has it, and which cases it lists."""

    key: str
    label: str
    roles: frozenset[Role]
    hint: str = ""


QUEUES: tuple[Queue, ...] = (
    Queue(
        "verify",
        gettext_noop("待核实"),
        frozenset({Role.OPERATOR, Role.INSPECTOR}),
        gettext_noop("新上报、等待监督员现场核实的案卷"),
    ),
    Queue(
        "register",
        gettext_noop("待立案"),
        frozenset({Role.OPERATOR, Role.SHIFT_LEADER}),
        gettext_noop("已核实、等待立案或不予立案的案卷"),
    ),
    Queue(
        "dispatch",
        gettext_noop("待派遣"),
        frozenset({Role.DISPATCHER}),
        gettext_noop("已立案待派遣；责任划分无匹配的“市级分拨”案卷排在最前"),
    ),
    Queue(
        "extension",
        gettext_noop("延期待批"),
        frozenset({Role.DISPATCHER}),
        gettext_noop("处置单位申请延期，等待审批"),
    ),
    Queue("deferred", gettext_noop("挂账"), frozenset({Role.DISPATCHER})),
    Queue(
        "handle",
        gettext_noop("处置任务"),
        frozenset({Role.HANDLER}),
        gettext_noop("派给本单位、正在处置的任务"),
    ),
    Queue(
        "check",
        gettext_noop("待核查"),
        frozenset({Role.INSPECTOR}),
        gettext_noop("处置单位已反馈，等待现场核查"),
    ),
    Queue(
        "close",
        gettext_noop("待结案"),
        frozenset({Role.SHIFT_LEADER}),
        gettext_noop("核查通过，等待结案"),
    ),
    Queue(
        "overdue",
        gettext_noop("超时"),
        frozenset({Role.SHIFT_LEADER}),
        gettext_noop("本班次辖区内已超时的未结案卷及其责任单位"),
    ),
    Queue("all", gettext_noop("全部案卷"), CONSOLE_ROLES, gettext_noop("辖区内全部案卷，最新在前")),
)
QUEUE_BY_KEY = {q.key: q for q in QUEUES}


def console_allowed(user) -> bool:
    return bool(CONSOLE_ROLES & roles_of(user))


def queues_of(user) -> list[Queue]:
    """The tabs this user has, in workflow order ("all" last)."""
    roles = roles_of(user)
    return [q for q in QUEUES if q.roles & roles]


def report_channels(user) -> list[str]:
    """The channels the user may report through (hotline for operators, patrol for inspectors)."""
    return channels_for(roles_of(user))


@dataclass(frozen=True)
class QueueFilters:
    region: str = ""  # a county-level unit (6 digits) or a street (9 digits)
    category: str = ""  # "06010", or "matter:06010" when the kind matters
    status: str = ""
    overdue: bool = False
    near: tuple[float, float] | None = None  # (lon, lat): nearest first


def _past_due_ids(now: datetime) -> list[UUID]:
    """Cases with a running clock already past its due time (the sweep may not have run yet)."""
    ids = Deadline.objects.filter(
        subject_type="cases.case", stopped_at__isnull=True, due_at__lte=now
    ).values_list("subject_id", flat=True)
    return [UUID(i) for i in ids]


def overdue_q(now: datetime) -> Q:
    return Q(overdue=True) | Q(pk__in=_past_due_ids(now))


def _role_queue(user, *roles: Role) -> QuerySet[Case]:
    held = roles_of(user)
    for role in roles:
        if role in held:
            return queue_for(user, role)
    return Case.objects.none()


def queue_cases(user, key: str, filters: QueueFilters, *, now: datetime) -> QuerySet[Case]:
    """The cases of one tab for this user, filtered and ordered (oldest first, or nearest first
    when a position is given); an unknown tab or one the user does not have is empty."""
    queue = QUEUE_BY_KEY.get(key)
    if queue is None or not queue.roles & roles_of(user):
        return Case.objects.none()
    order: list[Any] = ["reported_at"]
    if key == "verify":
        cases = _role_queue(user, Role.INSPECTOR, Role.OPERATOR).filter(status=Status.REPORTED)
    elif key == "register":
        cases = _role_queue(user, Role.SHIFT_LEADER, Role.OPERATOR).filter(status=Status.VERIFIED)
    elif key == "dispatch":
        cases = (
            queue_for(user, Role.DISPATCHER)
            .filter(status=Status.REGISTERED)
            .annotate(
                triage=ExpressionWrapper(
                    Q(suggested_agency__isnull=True), output_field=BooleanField()
                )
            )
        )
        order = ["-triage", "reported_at"]
    elif key == "extension":
        cases = queue_for(user, Role.DISPATCHER).filter(
            status=Status.DISPATCHED, extension_pending=True
        )
    elif key == "deferred":
        cases = queue_for(user, Role.DISPATCHER).filter(status=Status.DEFERRED)
    elif key == "handle":
        cases = queue_for(user, Role.HANDLER)
    elif key == "check":
        cases = queue_for(user, Role.INSPECTOR).filter(status=Status.HANDLED)
    elif key == "close":
        cases = queue_for(user, Role.SHIFT_LEADER).filter(status=Status.CHECKED)
    elif key == "overdue":
        cases = cases_visible(user).filter(status__in=list(OPEN)).filter(overdue_q(now))
    else:  # all
        cases = cases_visible(user)
        order = ["-reported_at"]
    cases = _filtered(cases, filters, now=now)
    if filters.near is not None:
        lon, lat = filters.near
        cases = cases.annotate(distance2=_distance2(lon, lat))
        order = ["distance2", *order]
    return cases.select_related("category", "agency", "suggested_agency").order_by(*order, "pk")


def _filtered(cases: QuerySet[Case], filters: QueueFilters, *, now: datetime) -> QuerySet[Case]:
    region = filters.region.strip()
    if len(region) == 6:
        cases = cases.filter(region_code=region)
    elif len(region) == 9:
        cases = cases.filter(street_code=region)
    elif region:
        cases = cases.none()
    if filters.category:
        kind, _sep, code = filters.category.rpartition(":")
        cases = cases.filter(category__code=code)
        if kind:
            cases = cases.filter(category__kind=kind)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.overdue:
        cases = cases.filter(overdue_q(now))
    return cases


def queue_counts(user, *, now: datetime) -> dict[str, int]:
    """How many cases wait in each of the user's tabs (no filter)."""
    return {
        q.key: queue_cases(user, q.key, QueueFilters(), now=now).count()
        for q in queues_of(user)
        if q.key != "all"
    }


def filter_regions(user) -> QuerySet[Region]:
    """Units and streets the user may filter by."""
    return regions_visible(user).filter(
        kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE, Region.Kind.STREET]
    )


# ---------------------------------------------------------------- clocks as people read them


@dataclass(frozen=True)
class Countdown:
    """A running deadline as shown in a list or on the case page."""

    kind: str
    label: str
    due_at: datetime
    provisional: bool
    working: bool  # counted in working time (else around the clock)
    overdue: bool
    text: str  # "剩余 3 工作时", "已超时 2 小时"


def _amount(value: float) -> str:
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _elapsed_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return gettext("%(n)s 分钟") % {"n": max(minutes, 1)}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return gettext("%(n)s 小时") % {"n": hours}
    days, hours = divmod(hours, 24)
    if hours:
        return gettext("%(d)s 天 %(h)s 小时") % {"d": days, "h": hours}
    return gettext("%(d)s 天") % {"d": days}


def countdown(deadline: Deadline, *, now: datetime, calendar=None) -> Countdown:
    """Time left on a clock: working time for working-hour and working-day limits (a task due
    after a holiday is not overdue during it), plain time for round-the-clock limits; once
    past due, how long ago in plain time."""
    working = deadline.unit != Deadline.Unit.CLOCK_HOURS
    overdue = deadline.due_at <= now
    if overdue:
        text = gettext("已超时 %(t)s") % {"t": _elapsed_text(now - deadline.due_at)}
    elif working:
        calendar = calendar or work_calendar()
        left = calendar.working_time_between(now, deadline.due_at).total_seconds() / 3600
        text = gettext("剩余 %(n)s 工作时") % {"n": _amount(max(left, 0.1))}
    else:
        left = (deadline.due_at - now).total_seconds()
        if left < 3600:
            text = gettext("剩余 %(n)s 分钟") % {"n": max(int(left // 60), 1)}
        else:
            text = gettext("剩余 %(n)s 小时") % {"n": _amount(left / 3600)}
    return Countdown(
        kind=deadline.kind,
        label=gettext(CLOCK_LABELS.get(deadline.kind, deadline.kind)),
        due_at=deadline.due_at,
        provisional=deadline.provisional,
        working=working,
        overdue=overdue,
        text=text,
    )


def case_countdowns(case: Case, *, now: datetime) -> list[Countdown]:
    calendar = work_calendar()
    return [countdown(d, now=now, calendar=calendar) for d in open_deadlines(case)]


def with_clocks(cases: Iterable[Case], *, now: datetime) -> list[Case]:
    """Attach to each case its running clock (`case.clock`, the earliest due) in one query,
    and `case.distance_m` when the rows were ordered by distance."""
    cases = list(cases)
    by_id = {str(c.pk): c for c in cases}
    earliest: dict[str, Deadline] = {}
    for d in Deadline.objects.filter(
        subject_type="cases.case", subject_id__in=list(by_id), stopped_at__isnull=True
    ).order_by("due_at"):
        earliest.setdefault(d.subject_id, d)
    calendar = work_calendar()
    for key, case in by_id.items():
        deadline = earliest.get(key)
        case.clock = countdown(deadline, now=now, calendar=calendar) if deadline else None
        case.is_overdue = case.overdue or bool(case.clock and case.clock.overdue)
        case.level_label = gettext(LEVEL_LABELS[Level(case.level)])
        distance2 = getattr(case, "distance2", None)
        case.distance_m = (
            round(math.sqrt(distance2) * METRES_PER_DEGREE) if distance2 is not None else None
        )
    return cases


# ---------------------------------------------------------------- the case page


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    label: str
    actor: str
    note: str
    detail: str
    status_label: str


def _event_detail(event: CaseEvent, agencies: dict[str, str]) -> str:
    data = event.data or {}
    if event.action == "reported":
        parts = [gettext("网格 %(grid)s") % {"grid": data["grid"]}] if data.get("grid") else []
        if data.get("client_time"):  # made on a phone, perhaps offline, before it reached us
            seen = timezone.localtime(datetime.fromisoformat(data["client_time"]))
            parts.append(gettext("现场上报时间 %(time)s") % {"time": f"{seen:%Y-%m-%d %H:%M}"})
        return " · ".join(parts)
    if data.get("agency") and event.action in (Action.DISPATCH, Action.REASSIGN, Action.RETURN):
        name = agencies.get(data["agency"], data["agency"])
        return gettext("处置单位：%(name)s") % {"name": name}
    if event.action == Action.REQUEST_EXTENSION and data.get("hours"):
        return gettext("申请延期 %(n)s 工作时") % {"n": _amount(float(data["hours"]))}
    if event.action == Action.APPROVE_EXTENSION and data.get("hours"):
        return gettext("延期 %(n)s 工作时") % {"n": _amount(float(data["hours"]))}
    if event.action == Action.MERGE and data.get("into"):
        return gettext("合并到案卷 %(number)s") % {"number": data["into"]}
    if event.action == "reporter_joined" and data.get("channel"):
        return gettext("来源：%(channel)s") % {
            "channel": gettext(CHANNEL_LABELS.get(data["channel"], data["channel"]))
        }
    if event.action == Action.SUPERVISE and data.get("level"):
        return gettext("升至%(level)s级") % {"level": gettext(LEVEL_LABELS[Level(data["level"])])}
    return ""


def case_timeline(case: Case) -> list[TimelineEntry]:
    """The case's story, oldest first, as people read it."""
    events = list(case.events.select_related("actor").order_by("at", "pk"))
    codes = {e.data.get("agency") for e in events if isinstance(e.data, dict)} - {None, ""}
    agencies = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    entries = []
    for e in events:
        label = gettext(event_label(e.action))
        try:
            status_label = gettext(STATUS_LABELS[Status(e.to_status)]) if e.to_status else ""
        except ValueError:
            status_label = e.to_status
        actor = (e.actor.full_name or e.actor.username) if e.actor else gettext("系统")
        entries.append(
            TimelineEntry(
                at=e.at,
                action=e.action,
                label=label,
                actor=actor,
                note=e.note,
                detail=_event_detail(e, agencies),
                status_label=status_label,
            )
        )
    return entries


def dispatch_agencies(case: Case) -> QuerySet[Agency]:
    """Who a case may be sent to from the console: the agencies of its county-level unit
    (bureau, departments, brigades, street offices) and the city-wide departments."""
    return (
        Agency.objects.filter(active=True)
        .filter(
            Q(region__code=case.region_code)
            | Q(region__unit_code=case.region_code)
            | Q(region__kind=Region.Kind.CITY, kind=Agency.Kind.DEPARTMENT)
        )
        .select_related("region")
        .order_by("region__kind", "code")
    )


def case_for(user, number: str) -> Case | None:
    """The case with this number if the user may see it (None either way otherwise)."""
    return (
        cases_visible(user)
        .select_related("category", "agency", "suggested_agency", "grid", "reporter")
        .filter(number=number)
        .first()
    )


def categories_grouped() -> list[tuple[str, list[Category]]]:
    """Active categories grouped by kind and major class, for the report form's picker."""
    groups: dict[tuple[str, str], list[Category]] = {}
    for category in Category.objects.filter(active=True).order_by("kind", "code"):
        groups.setdefault((category.kind, category.major_code), []).append(category)
    kinds = dict(Category.Kind.choices)
    return [
        (f"{kinds[kind]} · {items[0].major_code} {items[0].major_name}", items)
        for (kind, _major), items in groups.items()
    ]


def similar_open_cases(
    user,
    *,
    category: Category,
    lon: float,
    lat: float,
    radius_m: float | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    exclude: Case | None = None,
    limit: int = 5,
) -> list[Case]:
    """Open cases of the same category near a point and recent ("is it this one?"), nearest
    first. By default the duplicate rule: within `DUPLICATE_RADIUS_M` metres and reported in
    the last `DUPLICATE_WINDOW_HOURS` hours (50 m and 72 h unless configured)."""
    rule = settings.CHENGGUAN
    radius_m = rule["DUPLICATE_RADIUS_M"] if radius_m is None else radius_m
    until = until or timezone.now()
    since = since or until - timedelta(hours=rule["DUPLICATE_WINDOW_HOURS"])
    candidates = cases_visible(user).filter(
        category=category, status__in=list(OPEN), reported_at__range=(since, until)
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    return cases_near(
        candidates.select_related("category"), lon=lon, lat=lat, radius_m=radius_m, limit=limit
    )


def _distance2(lon: float, lat: float) -> ExpressionWrapper:
    """Squared distance from a point in degrees of latitude (degrees of longitude shrink
    with latitude); a flat earth is exact enough over the few kilometres it is used for."""
    k2 = math.cos(math.radians(lat)) ** 2
    return ExpressionWrapper(
        (F("lon") - lon) * (F("lon") - lon) * k2 + (F("lat") - lat) * (F("lat") - lat),
        output_field=FloatField(),
    )


def cases_near(
    cases: QuerySet[Case], *, lon: float, lat: float, radius_m: float, limit: int
) -> list[Case]:
    """The cases within `radius_m` metres of a point, nearest first, each with `distance_m`.

    A box on the coordinates narrows the rows, the database orders them by distance, and
    the corners of the box beyond the radius are dropped here.
    """
    dlat = radius_m / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = (
        cases.filter(lon__range=(lon - dlon, lon + dlon), lat__range=(lat - dlat, lat + dlat))
        .annotate(distance2=_distance2(lon, lat))
        .order_by("distance2", "reported_at", "pk")[:limit]
    )
    near = []
    for case in rows:
        case.distance_m = round(math.sqrt(case.distance2) * METRES_PER_DEGREE)
        if case.distance_m <= radius_m:
            near.append(case)
    return near


def tasks_near(user, *, lon: float, lat: float, radius_m: float, limit: int) -> list[Case]:
    """An inspector's tasks (to verify, to check) near where they stand, nearest first."""
    return cases_near(
        queue_for(user, Role.INSPECTOR), lon=lon, lat=lat, radius_m=radius_m, limit=limit
    )


def duplicate_candidates(user, case: Case) -> list[Case]:
    """Earlier open cases this one may duplicate, for the operator to merge it into: the
    duplicate rule measured from this case's place and report time."""
    if case.status not in (Status.REPORTED, Status.VERIFIED, Status.REGISTERED):
        return []
    return similar_open_cases(
        user,
        category=case.category,
        lon=case.lon,
        lat=case.lat,
        until=case.reported_at,
        exclude=case,
    )


def cases_following(case: Case) -> set[Any]:
    """The case and every case merged into it, however deep: whose reporters and work
    orders the case now carries."""
    case_ids, frontier = {case.pk}, {case.pk}
    while frontier:
        frontier = (
            set(Case.objects.filter(merged_into__in=frontier).values_list("pk", flat=True))
            - case_ids
        )
        case_ids |= frontier
    return case_ids


def actions_for(case: Case, user) -> list:
    """The actions the services would accept from this user now: by role and stage, and a
    handler only on the tasks of their own agency."""
    roles = roles_of(user)
    open_parts = joint_parts_open(case)
    found = allowed_actions(
        Status(case.status),
        roles,
        pending_extension=case.extension_pending,
        complex_case=case.complex,
        open_joint_parts=open_parts,
    )
    mine = handler_agencies(user)
    if case.agency_id not in mine:
        found = [a for a in found if not needs_own_agency(a, roles) or a is Action.PART_DONE]
    if (
        Action.PART_DONE in found
        and not CasePart.objects.filter(
            case=case, lead=False, done_at__isnull=True, agency_id__in=mine
        ).exists()
    ):
        found.remove(Action.PART_DONE)
    return found


def joint_parts_open(case: Case) -> int | None:
    """None for an ordinary case; for a joint one, how many helpers have not finished."""
    parts = list(CasePart.objects.filter(case=case).values_list("lead", "done_at"))
    if not parts:
        return None
    return sum(1 for lead, done in parts if not lead and done is None)
