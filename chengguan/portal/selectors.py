"""Reads for the public portal: the category picker, the city outline for the map, and a
case as a citizen may see it through a tracking code (see portal.domain for what that is)."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import shapely
from django.utils.translation import gettext

from chengguan.cases.domain.workflow import (
    REOPEN_DAYS,
    STATUS_LABELS,
    Status,
    check_reopen_window,
)
from chengguan.cases.models import Case, CaseEvent, CasePhoto, Category, Rating, Reporter
from chengguan.cases.selectors import categories_grouped
from chengguan.core.errors import DomainError
from chengguan.org.models import Agency, Region
from chengguan.portal.domain import (
    AGENCY_EVENTS,
    ENFORCEMENT_EVENT,
    FEEDBACK_EVENTS,
    PUBLIC_EVENTS,
    STATUS_HINTS,
    tracking_code_normalise,
)

# What citizens report most, offered first (kind, code); the rest follow by major class.
COMMON_CATEGORIES = [
    ("matter", "06010"),  # 暴露垃圾
    ("matter", "06042"),  # 垃圾站（箱）满溢
    ("matter", "06012"),  # 道路不洁
    ("matter", "06013"),  # 道路破损
    ("matter", "09006"),  # 占道经营
    ("matter", "09005"),  # 店外经营
    ("matter", "09009"),  # 机动车乱停放
    ("matter", "09010"),  # 非机动车乱停放
    ("matter", "06036"),  # 乱堆杂物
    ("matter", "07001"),  # 非法小广告
    ("matter", "06027"),  # 油烟污染
    ("matter", "08004"),  # 工地扬尘
    ("component", "01037"),  # 路灯异常
    ("component", "01023"),  # 不明井盖异常: a passer-by cannot tell whose cover it is
    ("component", "03005"),  # 垃圾箱异常
    ("component", "03001"),  # 公共厕所异常
]


@dataclass(frozen=True)
class PickerGroup:
    label: str
    categories: list[Category]
    common: bool = False


def category_picker() -> list[PickerGroup]:
    """The common categories first, then every other active one by kind and major class."""
    groups = categories_grouped()
    by_key = {(c.kind, c.code): c for _label, items in groups for c in items}
    common = [by_key[key] for key in COMMON_CATEGORIES if key in by_key]
    taken = {c.pk for c in common}
    rest = [
        PickerGroup(label, [c for c in items if c.pk not in taken])
        for label, items in groups
        if any(c.pk not in taken for c in items)
    ]
    head = [PickerGroup(gettext("常见问题"), common, common=True)] if common else []
    return head + rest


def city_outline() -> dict | None:
    """The city's outline (the union of its county-level units, simplified to ~200 m) as
    GeoJSON, for the report map when no tile server is configured; None without boundaries."""
    shapes = [
        r.geometry
        for r in Region.objects.filter(
            kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE], geometry_wkb__isnull=False
        )
    ]
    if not shapes:
        return None
    outline = json.loads(shapely.to_geojson(shapely.simplify(shapely.union_all(shapes), 0.002)))
    return _rounded(outline)


def _rounded(value):
    """Coordinates to 5 decimals (about 1 m, finer than the ~200 m simplification): smaller
    pages, and no long digit runs a scan for phone numbers would mistake for one."""
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- tracking


def case_living(case: Case) -> Case:
    """The case that carries on for a reporter: their own, or the one it was merged into
    (however deep; a loop, which the services never make, stops where it closes)."""
    seen = {case.pk}
    while case.merged_into_id and case.merged_into_id not in seen:
        seen.add(case.merged_into_id)
        case = Case.objects.select_related("category", "agency").get(pk=case.merged_into_id)
    return case


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    label: str
    detail: str  # the agency now in charge, or the handler's feedback


def public_timeline(case: Case) -> list[PublicEvent]:
    """The case's timeline in public wording, without actors or internal notes."""
    events = list(case.events.filter(action__in=list(PUBLIC_EVENTS)).order_by("at", "pk"))
    codes = {e.data.get("agency") for e in events if e.action in AGENCY_EVENTS} - {None, ""}
    agencies = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        PublicEvent(at=e.at, label=gettext(PUBLIC_EVENTS[e.action]), detail=_detail(e, agencies))
        for e in events
    ]


def _detail(event: CaseEvent, agencies: dict[str, str]) -> str:
    data = event.data if isinstance(event.data, dict) else {}
    if event.action in AGENCY_EVENTS and data.get("agency") in agencies:
        return gettext("处置单位：%(name)s") % {"name": agencies[data["agency"]]}
    if event.action in FEEDBACK_EVENTS:
        return str(data.get("feedback") or "")
    if event.action == ENFORCEMENT_EVENT:
        return gettext(str(data.get("public") or ""))
    return ""


def reporter_photos(reporter: Reporter) -> list[CasePhoto]:
    """The photos sent with this reporter's own report (a reporter who joined a case
    later did not take its photos; they are the first reporter's)."""
    return list(
        reporter.case.photos.filter(
            kind=CasePhoto.Kind.REPORT, uploaded_at=reporter.created_at
        ).order_by("uploaded_at", "pk")
    )


@dataclass(frozen=True)
class Tracking:
    """A case as its reporter sees it through the tracking code."""

    reporter: Reporter
    case: Case  # the case that carries on (the reporter's own, or the one merged into)
    merged: bool
    district: str
    street: str
    agency: str
    status: Status
    status_label: str
    status_hint: str
    events: list[PublicEvent]
    photos: list[CasePhoto]
    rating: Rating | None  # this reporter's rating of the current closure
    reopen_until: datetime | None  # closed: the end of the window to ask for reopening
    can_reopen: bool


def reporter_by_code(code: str) -> Reporter | None:
    """The reporter a typed code belongs to; None for a code that cannot exist or does not."""
    code = tracking_code_normalise(code)
    if not code:
        return None
    return Reporter.objects.select_related("case").filter(tracking_code=code).first()


def tracking_for(reporter: Reporter, *, now: datetime) -> Tracking:
    """Everything the tracking page shows, and whether rating and reopening are open."""
    own = reporter.case
    case = case_living(Case.objects.select_related("category", "agency").get(pk=own.pk))
    names = dict(
        Region.objects.filter(code__in=[case.region_code, case.street_code]).values_list(
            "code", "name"
        )
    )
    status = Status(case.status)
    closed = status is Status.CLOSED
    return Tracking(
        reporter=reporter,
        case=case,
        merged=case.pk != own.pk,
        district=names.get(case.region_code, ""),
        street=names.get(case.street_code, ""),
        agency=case.agency.name if case.agency_id else "",
        status=status,
        status_label=gettext(STATUS_LABELS[status]),
        status_hint=gettext(STATUS_HINTS[status]),
        events=public_timeline(case),
        photos=reporter_photos(reporter),
        rating=(
            Rating.objects.filter(reporter=reporter, round=case.rework_count).first()
            if closed
            else None
        ),
        reopen_until=case.closed_at + timedelta(days=REOPEN_DAYS) if closed else None,
        can_reopen=closed and _within_reopen_window(case.closed_at, now),
    )


def _within_reopen_window(closed_at: datetime | None, now: datetime) -> bool:
    try:
        check_reopen_window(closed_at, now)
    except DomainError:
        return False
    return True


def reporter_photo(reporter: Reporter, photo_id) -> CasePhoto | None:
    """One of the reporter's own report photos, or None (also for another case's photo)."""
    return next((p for p in reporter_photos(reporter) if str(p.pk) == str(photo_id)), None)
