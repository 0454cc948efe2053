"""Reads behind the command dashboard (/dashboard/): today's intake, open and overdue cases
per district, the on-time closure trend, the heatmap, staffing compliance and the most
overdue cases, each within the user's territory.

Everything but the overdue list reads the roll-ups (`kpi.rollups`), never the case table,
so the page costs the same at 10 million cases as at 10 thousand: about ten small queries.
The overdue list reads the running clocks past due (`Deadline`, index on
(stopped_at, due_at)) joined to the open cases the user may see.

Territory: city-wide users see every county-level unit, a district user their unit, a
street user their street. The roll-ups have no agency on the open snapshot and the hex
cells, and no street on the hex cells: a user bound to an agency (a utility, a contractor)
sees intake and the trend of their agency's cases only and no open-per-district or
heatmap, and a street user no heatmap, rather than figures for more than they may see.
"""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID

import h3
from django.core.cache import cache
from django.db.models import Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from chengguan.accounts.roles import Role
from chengguan.accounts.selectors import Scope, roles_of, scope_of
from chengguan.cases.domain.channels import CHANNEL_LABELS
from chengguan.cases.domain.workflow import OPEN
from chengguan.cases.models import Case, Category
from chengguan.cases.selectors import cases_visible, console_allowed, countdown
from chengguan.core.models import Deadline
from chengguan.kpi.models import DailyRollup, HexRollup, OpenSnapshot
from chengguan.org.models import Region

DASHBOARD_ROLES = frozenset({Role.LEADER, Role.SHIFT_LEADER, Role.DISPATCHER, Role.SYSTEM_ADMIN})
TOP_CATEGORIES = 10
TREND_DAYS = 30
HEAT_DAYS = 7
HEAT_MAX_CELLS = 5_000  # a res-8 cell is ~0.7 km²: the whole city has about 10,000
OVERDUE_LIST = 10
OVERDUE_SCAN_MAX = 100_000  # running clocks past due read at most, in due order
OVERDUE_BATCH_MAX = 10_000  # …per query (an IN list SQLite takes)
STAFFING_CACHE_SECONDS = 300
REFRESH_SECONDS = 60


def dashboard_allowed(user) -> bool:
    return bool(DASHBOARD_ROLES & roles_of(user))


# ---------------------------------------------------------------- territory


def _area(scope: Scope, *, street: bool = True) -> Q | None:
    """The roll-up rows of the user's territory by county and street; None when the
    roll-up cannot tell (no street column, or a user bound to an agency)."""
    if scope.agency_ids is not None:
        return None
    if scope.city_wide:
        return Q()
    if scope.street_code is not None:
        return Q(street_code=scope.street_code) if street else None
    return Q(region_code=scope.unit_code)


def _rollups(scope: Scope) -> QuerySet[DailyRollup]:
    rows = DailyRollup.objects.all()
    if scope.agency_ids is not None:
        rows = rows.filter(agency_id__in=scope.agency_ids)
    if scope.city_wide:
        return rows
    if scope.street_code is not None:
        return rows.filter(street_code=scope.street_code)
    return rows.filter(region_code=scope.unit_code)


def _units() -> dict[str, str]:
    """County-level units (counties, districts, zones): code → short name."""
    return {
        code: short or name
        for code, short, name in Region.objects.filter(
            kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE]
        )
        .order_by("code")
        .values_list("code", "short_name", "name")
    }


def _queue_url(user, **params) -> str | None:
    """The case queue (/cases/) with filters, for users who have it."""
    if not console_allowed(user):
        return None
    return reverse("cases:work") + "?" + urlencode({k: v for k, v in params.items() if v})


def _overdue_url(user, region: str) -> str | None:
    # The shift leader's "超时" tab lists open overdue cases; other roles filter "all".
    tab = "overdue" if Role.SHIFT_LEADER in roles_of(user) else "all"
    return _queue_url(user, tab=tab, region=region, overdue="1")


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


# ---------------------------------------------------------------- the panels


def intake_today(user, *, day: date) -> dict:
    """Today's cases by channel and by category (the top ten and the rest), and the day's
    totals, from one grouped query over the day's roll-up rows (and the ten names)."""
    groups = (
        _rollups(scope_of(user))
        .filter(day=day)
        .values("channel", "category_code", "category_kind")
        .annotate(
            reported=Sum("reported"),
            registered=Sum("registered"),
            closed=Sum("closed"),
            closed_on_time=Sum("closed_on_time"),
            reworked=Sum("reworked"),
        )
        .order_by()
    )
    totals = dict.fromkeys(("reported", "registered", "closed", "closed_on_time", "reworked"), 0)
    channels: dict[str, int] = dict.fromkeys(CHANNEL_LABELS, 0)
    categories: dict[tuple[str, str], int] = {}
    for g in groups:
        for measure in totals:
            totals[measure] += g[measure]
        channels[g["channel"]] = channels.get(g["channel"], 0) + g["reported"]
        key = (g["category_kind"], g["category_code"])
        categories[key] = categories.get(key, 0) + g["reported"]
    ranked = sorted(
        ((k, n) for k, n in categories.items() if n), key=lambda item: (-item[1], item[0])
    )
    top, rest = ranked[:TOP_CATEGORIES], ranked[TOP_CATEGORIES:]
    names = {}
    if top:
        wanted = Q()
        for kind, code in (k for k, _n in top):
            wanted |= Q(kind=kind, code=code)
        names = {
            (kind, code): name
            for kind, code, name in Category.objects.filter(wanted).values_list(
                "kind", "code", "name"
            )
        }
    by_category = [
        {
            "kind": kind,
            "code": code,
            "name": names.get((kind, code), code),
            "count": n,
            "url": _queue_url(user, tab="all", category=f"{kind}:{code}"),
        }
        for (kind, code), n in top
    ]
    if rest:
        by_category.append(
            {
                "kind": "",
                "code": "",
                "name": gettext("其他（%(n)s 类）") % {"n": len(rest)},
                "count": sum(n for _k, n in rest),
                "url": None,
            }
        )
    return {
        "day": day.isoformat(),
        "totals": {**totals, "on_time_rate": _rate(totals["closed_on_time"], totals["closed"])},
        "by_channel": [
            {"code": code, "label": gettext(CHANNEL_LABELS.get(code, code)), "count": n}
            for code, n in channels.items()
        ],
        "by_category": by_category,
    }


def open_by_district(user, *, units: dict[str, str] | None = None) -> dict:
    """Open and overdue cases per county-level unit, from the open snapshot."""
    scope = scope_of(user)
    area = _area(scope)
    units = _units() if units is None else units
    if area is None:
        return {"available": False, "districts": [], "open": 0, "overdue": 0, "computed_at": None}
    rows = {
        r["region_code"]: r
        for r in OpenSnapshot.objects.filter(area)
        .values("region_code")
        .annotate(open=Sum("open"), overdue=Sum("overdue"), at=Max("computed_at"))
        .order_by()
    }
    codes = list(units) if scope.city_wide else [scope.unit_code]
    codes += sorted(set(rows) - set(codes))  # a case outside any known unit still counts
    districts = []
    for code in codes:
        row = rows.get(code, {})
        districts.append(
            {
                "code": code,
                "name": units.get(code, code),
                "open": row.get("open", 0),
                "overdue": row.get("overdue", 0),
                "overdue_url": _overdue_url(user, scope.street_code or code),
            }
        )
    stamps = [r["at"] for r in rows.values() if r["at"]]
    return {
        "available": True,
        "districts": districts,
        "open": sum(d["open"] for d in districts),
        "overdue": sum(d["overdue"] for d in districts),
        "overdue_url": _overdue_url(user, scope.street_code or scope.unit_code or ""),
        "computed_at": timezone.localtime(max(stamps)).isoformat() if stamps else None,
    }


def on_time_trend(user, *, today: date, days: int = TREND_DAYS) -> list[dict]:
    """Per day of the last `days` days (today included): closed, closed on time, the rate."""
    first = today - timedelta(days=days - 1)
    rows = {
        r["day"]: r
        for r in _rollups(scope_of(user))
        .filter(day__gte=first, day__lte=today)
        .values("day")
        .annotate(reported=Sum("reported"), closed=Sum("closed"), on_time=Sum("closed_on_time"))
        .order_by()
    }
    trend = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = rows.get(day, {})
        closed, on_time = row.get("closed", 0), row.get("on_time", 0)
        trend.append(
            {
                "day": day.isoformat(),
                "reported": row.get("reported", 0),
                "closed": closed,
                "on_time": on_time,
                "rate": _rate(on_time, closed),
            }
        )
    return trend


def _ring(cell: str) -> list[list[float]]:
    # h3 gives (lat, lng) pairs; GeoJSON wants [lng, lat] and a closed ring.
    ring = [[round(lng, 5), round(lat, 5)] for lat, lng in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def heatmap(user, *, today: date, days: int = HEAT_DAYS) -> dict:
    """Cases reported in the last `days` days per H3 cell, as GeoJSON polygons with the
    count (`reported`), busiest first."""
    area = _area(scope_of(user), street=False)
    collection = {"type": "FeatureCollection", "features": [], "available": area is not None}
    if area is None:
        return collection
    cells = (
        HexRollup.objects.filter(area, day__gt=today - timedelta(days=days), day__lte=today)
        .values("cell")
        .annotate(reported=Sum("reported"))
        .order_by("-reported", "cell")[:HEAT_MAX_CELLS]
    )
    for row in cells:
        collection["features"].append(
            {
                "type": "Feature",
                "properties": {"cell": row["cell"], "reported": row["reported"]},
                "geometry": {"type": "Polygon", "coordinates": [_ring(row["cell"])]},
            }
        )
    collection["max"] = max(
        (f["properties"]["reported"] for f in collection["features"]), default=0
    )
    return collection


def _staffing_rows(on: date) -> list[dict]:
    """Every unit's staffing as the compliance page judges it (cached: seven queries over
    the whole register), plus the city total under the code ""."""
    key = f"kpi:dashboard:staffing:{on.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        from chengguan.workforce.selectors import staffing_by_unit

        report = staffing_by_unit(on=on)
        rows = [
            {
                "code": c.counts.code if c is not report.city else "",
                "name": c.counts.name,
                "population": c.counts.population,
                "officers": c.counts.officers,
                "per_10k": round(c.per_10k, 2) if c.per_10k is not None else None,
                "compliant": c.compliant,
            }
            for c in [*report.units, *([report.city] if report.city else [])]
        ]
        cache.set(key, rows, STAFFING_CACHE_SECONDS)
    return rows


def staffing_summary(user, *, on: date) -> dict:
    """Staffing compliance per unit in the user's territory: passing or failing and
    officers per 10,000 residents (the city total for city-wide users)."""
    scope = scope_of(user)
    rows = _staffing_rows(on)
    if scope.agency_ids is not None:
        units, city = [], None
    else:
        units = [r for r in rows if r["code"] and scope.contains(unit_code=r["code"])]
        city = next((r for r in rows if not r["code"]), None) if scope.city_wide else None
    return {
        "units": units,
        "city": city,
        "passing": sum(1 for r in units if r["compliant"]),
        "failing": sum(1 for r in units if not r["compliant"]),
        "url": reverse("workforce:compliance"),
    }


def most_overdue(
    user, *, now: datetime, limit: int = OVERDUE_LIST, units: dict[str, str] | None = None
) -> list[dict]:
    """The open cases the user may see whose earliest running clock is furthest past due.

    The running clocks past due are read in due order from the (stopped_at, due_at) index,
    a batch at a time (keyset, growing batches), and each batch's cases are checked against
    what the user may see by primary key: a city-wide user is served by the first batch, a
    district's cases turn up within a few. (Joining the other way, every open case the user
    sees against the clocks, costs a second at 10 million cases with 200,000 open.)"""
    open_visible = cases_visible(user).filter(status__in=[s.value for s in OPEN])
    running = Deadline.objects.filter(
        subject_type="cases.case", stopped_at__isnull=True, due_at__lte=now
    ).only("subject_id", "kind", "due_at", "unit", "provisional")
    earliest: dict[str, Deadline] = {}
    seen: set[str] = set()
    cases: dict[str, Case] = {}
    after, size, scanned = None, limit * 10, 0
    while len(earliest) < limit and scanned < OVERDUE_SCAN_MAX:
        batch_query = running
        if after is not None:
            due, pk = after
            batch_query = running.filter(Q(due_at__gt=due) | Q(due_at=due, pk__gt=pk))
        batch = list(batch_query.order_by("due_at", "pk")[:size])
        scanned += len(batch)
        fresh = {}
        for clock in batch:
            if clock.subject_id not in seen:  # a case's earliest clock comes first
                seen.add(clock.subject_id)
                fresh[clock.subject_id] = clock
        ids = []
        for key in fresh:
            try:
                ids.append(UUID(key))
            except ValueError:
                continue
        found = (
            open_visible.filter(pk__in=ids)
            .select_related("category")
            .only("pk", "number", "region_code", "status", "category__name", "category__code")
            if ids
            else []
        )
        for case in found:
            cases[str(case.pk)] = case
        for key, clock in fresh.items():
            if key in cases and len(earliest) < limit:
                earliest[key] = clock
        if len(batch) < size:
            break
        after = (batch[-1].due_at, batch[-1].pk)
        size = min(size * 4, OVERDUE_BATCH_MAX)
    units = _units() if units is None else units
    rows = []
    for key, clock in earliest.items():
        case = cases.get(key)
        if case is None:
            continue
        shown = countdown(clock, now=now)
        rows.append(
            {
                "number": case.number,
                "category": case.category.name,
                "district": units.get(case.region_code, case.region_code),
                "clock": shown.label,
                "due_at": timezone.localtime(clock.due_at).isoformat(),
                "overdue_hours": round((now - clock.due_at).total_seconds() / 3600, 1),
                "overdue_text": shown.text,
                "url": reverse("cases:detail", args=[case.number]),
            }
        )
    return rows


def dashboard_data(user, *, now: datetime | None = None) -> dict:
    """Everything the dashboard shows, as JSON-ready values (the page, /dashboard/data.json
    and GET /api/kpi/dashboard)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope = scope_of(user)
    units = _units()
    if scope.city_wide:
        territory = gettext("全市")
    else:
        territory = units.get(scope.unit_code or "", scope.unit_code or "")
        if scope.street_code:
            street = Region.objects.filter(code=scope.street_code).values_list("name", flat=True)
            territory += " " + (street.first() or scope.street_code)
    return {
        "generated_at": timezone.localtime(now).isoformat(),
        "today": today.isoformat(),
        "territory": territory,
        "refresh_seconds": REFRESH_SECONDS,
        "intake": intake_today(user, day=today),
        "open": open_by_district(user, units=units),
        "trend": on_time_trend(user, today=today),
        "heatmap": heatmap(user, today=today),
        "staffing": staffing_summary(user, on=today),
        "overdue_cases": most_overdue(user, now=now, units=units),
    }
