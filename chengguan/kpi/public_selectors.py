"""Reads for the public statistics (城市管理数据公开, /public/stats/); nothing writes.

Everything here is for anyone, without login, so it is built from what may be shown:

- the figures by district, category and month come from `DailyRollup` only (never the
  case table), summed over the chosen months;
- the map counts cases of the last 7 days per **grid** and shows them at the grid's
  centroid: one grouped query on `Case` (grid, category → count), never a case's own
  place, text, photo or reporter; the hexagons are `HexRollup` counts per H3 cell;
- satisfaction is `SatisfactionScore` per agency for one month.

Each document is a plain dict (`fields` describing the rows, `updated_at`, the rows) kept
in the cache for five minutes, so a busy page costs one set of queries every five minutes.
Its `digest` (over the figures only) is the open data's ETag, and `updated_at` is when the
figures were first seen as they are now (the Last-Modified), so a re-user revalidating
every few minutes gets 304 until a figure actually changes.

Labels are always Chinese, whatever the visitor's language, so one cached document serves
everybody and a re-user's parser never meets a translated value.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import h3
import shapely
import shapely.geometry
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from chengguan.cases.domain.workflow import Status
from chengguan.cases.models import Case, Category
from chengguan.kpi.models import DailyRollup, HexRollup, Period, SatisfactionScore
from chengguan.org.models import Grid, Region

CITY_CODE = "4101"
CITY_NAME = "郑州市"
CACHE_SECONDS = 300
SINCE_SECONDS = 7 * 24 * 3600  # how long the "unchanged since" stamp is remembered
MONTHS_DEFAULT = 12
MONTHS_MAX = 36
RECENT_DAYS = 7
CATEGORY_TOP = 10  # the page's chart and table; the open data lists every category
# A cancelled entry or a duplicate merged into another case is not a problem of its own.
MAP_EXCLUDED = (Status.VOIDED.value, Status.MERGED.value)
BOUNDARY_TOLERANCE = 0.0005  # degrees (about 50 m): enough for an outline on a city map
UNSTREETED = "（未定位到街道）"
ONE_PLACE = Decimal("0.1")

RATE_NOTE = "按期结案数 ÷ 结案数 × 100，保留一位小数；期间内无结案为 null"
SATISFACTION_METHOD = (
    "综合满意度为三项来源的加权平均：群众评价 50%、满意度调查 30%、第三方测评 20%；"
    "某项来源缺失时不计入，其余来源按权重重新分配（不因缺失扣分）。"
    "群众评价由办结案卷的反映人评价（1–5 星）换算为 0–100 分（(平均星级 − 1) ÷ 4 × 100），"
    "满 5 条评价才计分。"
)


class BadQuery(ValueError):
    """A query parameter the public pages cannot answer; `message` is shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- names


def county_units() -> dict[str, str]:
    """Code → name of the county-level units (counties, districts and zones), by code."""
    kinds = [Region.Kind.COUNTY, Region.Kind.ZONE]
    return dict(Region.objects.filter(kind__in=kinds).order_by("code").values_list("code", "name"))


def _street_names(unit_code: str) -> dict[str, str]:
    return dict(
        Region.objects.filter(kind=Region.Kind.STREET, unit_code=unit_code).values_list(
            "code", "name"
        )
    )


# ---------------------------------------------------------------- query parameters


@dataclass(frozen=True)
class StatsQuery:
    """`region` (a county-level code, or empty for the whole city) and `months` (1–36)."""

    region: str = ""
    months: int = MONTHS_DEFAULT

    @classmethod
    def from_query(cls, params, *, units: dict[str, str] | None = None) -> "StatsQuery":
        return cls(region=region_param(params, units=units), months=_months_param(params))

    def query(self) -> dict[str, str]:
        """The non-default parameters, for links that keep them."""
        out = {}
        if self.region:
            out["region"] = self.region
        if self.months != MONTHS_DEFAULT:
            out["months"] = str(self.months)
        return out


def region_param(params, *, units: dict[str, str] | None = None) -> str:
    region = (params.get("region") or "").strip()
    if region in ("", CITY_CODE):
        return ""
    units = county_units() if units is None else units
    if region not in units:
        raise BadQuery("region 应为县级区划代码（如 410102 中原区），留空或 4101 表示全市")
    return region


def _months_param(params) -> int:
    text = (params.get("months") or "").strip()
    if not text:
        return MONTHS_DEFAULT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MONTHS_MAX:
        raise BadQuery(f"months 应为 1 至 {MONTHS_MAX} 之间的整数（月数，含本月）")
    return int(text)


def month_param(params) -> date | None:
    """`month=YYYY-MM` → its first day; empty → None (the latest month with data)."""
    text = (params.get("month") or "").strip()
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise BadQuery("month 应为年月，格式 YYYY-MM（如 2026-10）") from None


# ---------------------------------------------------------------- shared helpers


def _month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def period_of(months: int, today: date | None = None) -> tuple[date, date]:
    """The first day of the month `months - 1` months ago, and today: `months` calendar
    months counting the current (unfinished) one."""
    today = today or timezone.localdate()
    return _month_start(today, months - 1), today


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole in percent, one decimal rounded half up (as printed statistics do)."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, ROUND_HALF_UP))


def _digest(payload) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _documented(key: str, build) -> dict:
    """The document under `key`: from the cache (five minutes), or built and stamped with
    its digest and the time its figures were first seen (kept while they stay the same)."""
    document = cache.get(key)
    if document is not None:
        return document
    document = build()
    digest = _digest(document["rows"] if "rows" in document else document["features"])
    since_key = f"{key}:since"
    seen = cache.get(since_key)
    now = timezone.now().replace(microsecond=0)
    since = seen[1] if seen and seen[0] == digest else now
    cache.set(since_key, (digest, since), SINCE_SECONDS)
    stamped = document.get("updated_at") or since  # a document may carry its own time
    document = {**document, "updated_at": timezone.localtime(stamped).isoformat()}
    document["_digest"] = digest
    document["_modified"] = stamped
    cache.set(key, document, CACHE_SECONDS)
    return document


def public(document: dict) -> dict:
    """The document without its internal keys (those starting with "_")."""
    return {k: v for k, v in document.items() if not k.startswith("_")}


def _scope(region: str, units: dict[str, str]) -> dict:
    return {"code": region or CITY_CODE, "name": units.get(region, CITY_NAME)}


def _sums(rows) -> dict[str, int]:
    return rows.aggregate(
        reported=Sum("reported"),
        registered=Sum("registered"),
        closed=Sum("closed"),
        closed_on_time=Sum("closed_on_time"),
    )


def _figures(values: dict) -> dict:
    figures = {k: int(values.get(k) or 0) for k in COUNT_KEYS}
    figures["on_time_rate"] = rate(figures["closed_on_time"], figures["closed"])
    return figures


COUNT_KEYS = ("reported", "registered", "closed", "closed_on_time")
COUNT_FIELDS = {
    "reported": "上报数（件，期间内上报的问题）",
    "registered": "立案数（件，期间内立案的案卷）",
    "closed": "结案数（件，期间内结案的案卷）",
    "closed_on_time": "按期结案数（件，结案时未超过处置时限）",
    "on_time_rate": f"按期结案率（%，{RATE_NOTE}）",
}


def _rollups(region: str, start: date, end: date):
    rows = DailyRollup.objects.filter(day__gte=start, day__lte=end)
    return rows.filter(region_code=region) if region else rows


# ---------------------------------------------------------------- by district

DISTRICT_FIELDS = {
    "code": "区划代码（全市时为县级单位代码；选定县区时为街道代码，空为未定位到街道）",
    "name": "名称",
    **COUNT_FIELDS,
}


def district_document(query: StatsQuery) -> dict:
    """Per county-level unit (whole city), or per street of the chosen unit."""
    start, end = period_of(query.months)
    key = f"kpi:public:districts:{query.region}:{query.months}:{end}"

    def build() -> dict:
        units = county_units()
        rows = _rollups(query.region, start, end)
        if query.region:
            names, group = _street_names(query.region), "street_code"
        else:
            names, group = units, "region_code"
        grouped = {
            r[group]: r
            for r in rows.values(group)
            .annotate(
                reported=Sum("reported"),
                registered=Sum("registered"),
                closed=Sum("closed"),
                closed_on_time=Sum("closed_on_time"),
            )
            .order_by()
        }
        codes = sorted(set(names) | set(grouped)) if not query.region else sorted(grouped)
        out = [
            {
                "code": code,
                "name": names.get(code) or (UNSTREETED if query.region else code),
                **_figures(grouped.get(code, {})),
            }
            for code in codes
        ]
        if query.region:  # the streets that had nothing are still named
            out += [
                {"code": code, "name": name, **_figures({})}
                for code, name in sorted(names.items())
                if code not in grouped
            ]
            out.sort(key=lambda r: (r["code"] == "", r["code"]))
        return {
            "title": "城市管理案卷统计（按区域）",
            "level": "street" if query.region else "county",
            "scope": _scope(query.region, units),
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "fields": DISTRICT_FIELDS,
            "total": _figures(_sums(rows)),
            "rows": out,
        }

    return _documented(key, build)


# ---------------------------------------------------------------- by category

CATEGORY_FIELDS = {
    "rank": "按上报数排名",
    "kind": "类型代码：component 部件，matter 事件",
    "kind_label": "类型",
    "code": "小类代码（GB/T 47678.5）",
    "name": "小类名称",
    "major_name": "大类名称",
    **COUNT_FIELDS,
}
KIND_LABELS = {"component": "部件", "matter": "事件"}


def category_document(query: StatsQuery) -> dict:
    """Every category with cases in the period, the most reported first."""
    start, end = period_of(query.months)
    key = f"kpi:public:categories:{query.region}:{query.months}:{end}"

    def build() -> dict:
        rows = _rollups(query.region, start, end)
        grouped = (
            rows.values("category_kind", "category_code")
            .annotate(
                reported=Sum("reported"),
                registered=Sum("registered"),
                closed=Sum("closed"),
                closed_on_time=Sum("closed_on_time"),
            )
            .order_by()
        )
        names = {
            (c.kind, c.code): c for c in Category.objects.only("kind", "code", "name", "major_name")
        }
        out = []
        for r in grouped:
            category = names.get((r["category_kind"], r["category_code"]))
            out.append(
                {
                    "kind": r["category_kind"],
                    "kind_label": KIND_LABELS.get(r["category_kind"], r["category_kind"]),
                    "code": r["category_code"],
                    "name": category.name if category else r["category_code"],
                    "major_name": category.major_name if category else "",
                    **_figures(r),
                }
            )
        out.sort(key=lambda r: (-r["reported"], -r["closed"], r["kind"], r["code"]))
        out = [{"rank": i, **r} for i, r in enumerate(out, 1)]
        return {
            "title": "城市管理案卷统计（按类别）",
            "scope": _scope(query.region, county_units()),
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "fields": CATEGORY_FIELDS,
            "total": _figures(_sums(rows)),
            "rows": out,
        }

    return _documented(key, build)


# ---------------------------------------------------------------- by month

MONTHLY_FIELDS = {"month": "月份（YYYY-MM；本月为截至今日）", **COUNT_FIELDS}


def monthly_document(query: StatsQuery) -> dict:
    """The last `months` months, oldest first, every month listed (0 when nothing)."""
    start, end = period_of(query.months)
    key = f"kpi:public:monthly:{query.region}:{query.months}:{end}"

    def build() -> dict:
        rows = _rollups(query.region, start, end)
        grouped = {}
        for r in (
            rows.annotate(month=TruncMonth("day"))
            .values("month")
            .annotate(
                reported=Sum("reported"),
                registered=Sum("registered"),
                closed=Sum("closed"),
                closed_on_time=Sum("closed_on_time"),
            )
            .order_by()
        ):
            month = r["month"]
            if isinstance(month, datetime):
                month = month.date()
            grouped[month.strftime("%Y-%m")] = r
        months = [_month_start(end, back) for back in range(query.months - 1, -1, -1)]
        out = [
            {"month": m.strftime("%Y-%m"), **_figures(grouped.get(m.strftime("%Y-%m"), {}))}
            for m in months
        ]
        return {
            "title": "城市管理案卷统计（按月）",
            "scope": _scope(query.region, county_units()),
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "fields": MONTHLY_FIELDS,
            "total": _figures(_sums(rows)),
            "rows": out,
        }

    return _documented(key, build)


# ---------------------------------------------------------------- the map

GRID_FIELDS = {
    "grid": "网格编码",
    "street": "街道（乡镇）",
    "district": "县级单位",
    "region_code": "县级区划代码",
    "count": "近 7 天上报的问题数（件；不含作废和被合并的重复案卷）",
    "categories": "按类别的问题数：[{kind 类型代码, code 小类代码, name 小类名称, count 件数}]，多者在前",
}
HEX_FIELDS = {
    "cell": "H3 单元编号（分辨率 8，约 0.74 平方千米）",
    "region_code": "县级区划代码",
    "count": "近 7 天（含今日）上报的问题数（件）",
}


def _point(lon: float, lat: float) -> list[float]:
    return [round(lon, 5), round(lat, 5)]


def grid_document(region: str = "") -> dict:
    """Cases reported in the last 7 days per grid, at the grid's centroid, with counts by
    category: a GeoJSON FeatureCollection. Nothing of any single case is in it."""
    key = f"kpi:public:grids:{region}"

    def build() -> dict:
        now = timezone.now()
        since = now - timedelta(days=RECENT_DAYS)
        cases = Case.objects.filter(reported_at__gte=since, grid__isnull=False).exclude(
            status__in=MAP_EXCLUDED
        )
        if region:
            cases = cases.filter(region_code=region)
        counted = list(cases.values("grid_id", "category_id").annotate(n=Count("pk")).order_by())
        grids = {
            g.pk: g
            for g in Grid.objects.filter(
                pk__in={c["grid_id"] for c in counted}, centroid_lon__isnull=False
            )
            .select_related("street")
            .only("code", "region_code", "centroid_lon", "centroid_lat", "street__name")
        }
        categories = {
            c.pk: c
            for c in Category.objects.filter(pk__in={c["category_id"] for c in counted}).only(
                "kind", "code", "name"
            )
        }
        units = county_units()
        per_grid: dict = {}
        for c in counted:
            if c["grid_id"] in grids:
                per_grid.setdefault(c["grid_id"], []).append(c)
        features = []
        for grid_id, entries in per_grid.items():
            grid = grids[grid_id]
            by_category = sorted(
                (
                    {
                        "kind": categories[e["category_id"]].kind,
                        "code": categories[e["category_id"]].code,
                        "name": categories[e["category_id"]].name,
                        "count": e["n"],
                    }
                    for e in entries
                ),
                key=lambda c: (-c["count"], c["kind"], c["code"]),
            )
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": _point(grid.centroid_lon, grid.centroid_lat),
                    },
                    "properties": {
                        "grid": grid.code,
                        "street": grid.street.name,
                        "district": units.get(grid.region_code, grid.region_code),
                        "region_code": grid.region_code,
                        "count": sum(e["n"] for e in entries),
                        "categories": by_category,
                    },
                }
            )
        features.sort(key=lambda f: (-f["properties"]["count"], f["properties"]["grid"]))
        return {
            "type": "FeatureCollection",
            "title": "近 7 天城市管理问题（按网格，匿名）",
            "scope": _scope(region, units),
            "period": {
                "from": timezone.localtime(since).isoformat(timespec="minutes"),
                "to": timezone.localtime(now).isoformat(timespec="minutes"),
            },
            "fields": GRID_FIELDS,
            "total": sum(f["properties"]["count"] for f in features),
            "features": features,
        }

    return _documented(key, build)


def _hexagon(cell: str) -> dict:
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(cell)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def hexagon_document(region: str = "") -> dict:
    """`HexRollup` counts of the last 7 days (today included) per H3 cell, as polygons."""
    today = timezone.localdate()
    key = f"kpi:public:hexagons:{region}:{today}"

    def build() -> dict:
        start = today - timedelta(days=RECENT_DAYS - 1)
        rows = HexRollup.objects.filter(day__gte=start, day__lte=today)
        if region:
            rows = rows.filter(region_code=region)
        grouped = rows.values("cell", "region_code").annotate(count=Sum("reported")).order_by()
        features = [
            {
                "type": "Feature",
                "geometry": _hexagon(r["cell"]),
                "properties": {
                    "cell": r["cell"],
                    "region_code": r["region_code"],
                    "count": int(r["count"] or 0),
                },
            }
            for r in grouped
            if r["count"] and h3.is_valid_cell(r["cell"])
        ]
        features.sort(key=lambda f: (-f["properties"]["count"], f["properties"]["cell"]))
        return {
            "type": "FeatureCollection",
            "title": "近 7 天城市管理问题（H3 六边形）",
            "scope": _scope(region, county_units()),
            "period": {"from": start.isoformat(), "to": today.isoformat()},
            "fields": HEX_FIELDS,
            "total": sum(f["properties"]["count"] for f in features),
            "features": features,
        }

    return _documented(key, build)


def _rounded(shape: dict) -> dict:
    """A GeoJSON geometry with its coordinates rounded to 5 decimals (about 1 m), so the
    file stays small and no float prints with a long tail of digits."""

    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], float | int):
                return [round(float(v), 5) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": shape["type"], "coordinates": walk(shape["coordinates"])}


BOUNDARY_FIELDS = {
    "code": "县级区划代码",
    "name": "名称",
    "kind": "类别代码：county 县（市、区），zone 管委会（功能区）",
    "boundary": "边界来源：imported 导入（OpenStreetMap），derived 由网格规划推算（示意）",
}
BOUNDARY_ATTRIBUTION = "县区边界 © OpenStreetMap contributors（ODbL 1.0）"


def boundary_document() -> dict:
    """The outlines of the county-level units (simplified), for the map's orientation."""

    def build() -> dict:
        regions = Region.objects.filter(
            kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE], geometry_wkb__isnull=False
        ).order_by("code")
        features = []
        for r in regions:
            geometry = shapely.from_wkb(bytes(r.geometry_wkb)).simplify(BOUNDARY_TOLERANCE)
            if geometry.is_empty:
                continue
            shape = _rounded(shapely.geometry.mapping(geometry))
            features.append(
                {
                    "type": "Feature",
                    "geometry": shape,
                    "properties": {
                        "code": r.code,
                        "name": r.name,
                        "kind": r.kind,
                        "boundary": r.boundary_source,
                    },
                }
            )
        return {
            "type": "FeatureCollection",
            "title": "郑州市县级单位边界（简化）",
            "attribution": BOUNDARY_ATTRIBUTION,
            "license": "ODbL-1.0",
            "fields": BOUNDARY_FIELDS,
            "features": features,
        }

    return _documented("kpi:public:boundaries", build)


# ---------------------------------------------------------------- satisfaction

SATISFACTION_FIELDS = {
    "rank": "按综合满意度排名（无综合分的排在最后，不排名）",
    "agency_code": "机构代码",
    "agency": "机构名称",
    "region_code": "县级区划代码（市级机构为 4101）",
    "district": "所属区域",
    "combined": "综合满意度（0–100 分）",
    "ratings_count": "群众评价条数",
    "ratings": "群众评价得分（0–100；不足 5 条为 null）",
    "survey": "满意度调查得分（0–100；无调查为 null）",
    "third_party": "第三方测评得分（0–100；无测评为 null）",
}


def satisfaction_months() -> list[date]:
    """The months that have scores, the latest first."""
    return list(
        SatisfactionScore.objects.filter(period=Period.MONTH)
        .values_list("period_start", flat=True)
        .distinct()
        .order_by("-period_start")
    )


def _score(value) -> float | None:
    return None if value is None else float(value)


def satisfaction_document(month: date | None = None, region: str = "") -> dict:
    """Satisfaction per agency for `month` (default: the latest month with scores)."""
    latest = (
        SatisfactionScore.objects.filter(period=Period.MONTH).aggregate(m=Max("period_start"))["m"]
        if month is None
        else month
    )
    key = f"kpi:public:satisfaction:{latest}:{region}"

    def build() -> dict:
        rows = list(
            SatisfactionScore.objects.filter(period=Period.MONTH, period_start=latest)
            .select_related("agency__region")
            .order_by("agency__code")
        )
        units = county_units()
        out = []
        for r in rows:
            code = r.region_code or r.agency.region.code
            if region and code != region:
                continue
            out.append(
                {
                    "agency_code": r.agency.code,
                    "agency": r.agency.name,
                    "region_code": code,
                    "district": units.get(code, CITY_NAME if code == CITY_CODE else code),
                    "combined": _score(r.combined),
                    "ratings_count": r.ratings_count,
                    "ratings": _score(r.ratings),
                    "survey": _score(r.survey),
                    "third_party": _score(r.third_party),
                }
            )
        out.sort(key=lambda r: (r["combined"] is None, -(r["combined"] or 0), r["agency_code"]))
        ranked, previous, rank = [], None, 0
        for i, r in enumerate(out, 1):
            if r["combined"] != previous:  # equal scores share a rank (1, 2, 2, 4)
                rank, previous = i, r["combined"]
            ranked.append({"rank": rank if r["combined"] is not None else None, **r})
        computed = max((r.computed_at for r in rows), default=None)
        return {
            "title": "城市管理满意度（按机构，月度）",
            "month": latest.strftime("%Y-%m") if latest else None,
            "scope": _scope(region, units),
            "method": SATISFACTION_METHOD,
            "weights": {"ratings": 50, "survey": 30, "third_party": 20},
            "fields": SATISFACTION_FIELDS,
            "rows": ranked,
            **({"updated_at": computed} if computed else {}),
        }

    return _documented(key, build)
