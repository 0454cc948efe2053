"""Public statistics (城市管理数据公开), no login: the figures by district, category and
month, the anonymised map of recent cases, satisfaction per agency, and their open data.

Edges only, like the public power list and the penalty publicity: `public_selectors`
builds and caches each document; a page renders it with a chart (ECharts) and the table
under it, and the open data serves the same document as JSON, CSV or GeoJSON. The open
data is the same for everybody, so shared caches may keep it for five minutes and
revalidate with ETag / Last-Modified (304); any site may read it (CORS `*`). A query
parameter that cannot be answered is a 400 with a Chinese message, never a 500.
"""

import csv
import io
import json
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import condition, require_safe

from chengguan.kpi import public_selectors as selectors
from chengguan.kpi.public_selectors import BadQuery, StatsQuery

OPEN_DATA_CACHE = "public, max-age=300"
GRID_TABLE_SIZE = 20
SATISFACTION_CHART_SIZE = 30
MONTH_CHOICES = (3, 6, 12, 24, 36)


# ---------------------------------------------------------------- pages


def _bad_page(request, error: BadQuery):
    return render(request, "kpi/public/bad_query.html", {"message": error.message}, status=400)


def _chart_labels() -> dict[str, str]:
    """The words the charts draw, in the visitor's language."""
    return {
        "reported": gettext("上报数"),
        "registered": gettext("立案数"),
        "closed": gettext("结案数"),
        "on_time_rate": gettext("按期结案率（%）"),
        "combined": gettext("综合满意度"),
        "count": gettext("件数"),
    }


@require_safe
def stats_page(request):
    units = selectors.county_units()
    try:
        query = StatsQuery.from_query(request.GET, units=units)
    except BadQuery as error:
        return _bad_page(request, error)
    districts = selectors.district_document(query)
    categories = selectors.category_document(query)
    monthly = selectors.monthly_document(query)
    top = categories["rows"][: selectors.CATEGORY_TOP]
    data_query = urlencode(query.query())
    return render(
        request,
        "kpi/public/stats.html",
        {
            "query": query,
            "units": units,
            "month_choices": MONTH_CHOICES,
            "districts": districts,
            "categories": categories,
            "top_categories": top,
            "monthly": monthly,
            "data_query": f"?{data_query}" if data_query else "",
            "updated": max(d["_modified"] for d in (districts, categories, monthly)),
            "chart_data": {
                "labels": _chart_labels(),
                "districts": [
                    {k: r[k] for k in ("name", "reported", "closed", "on_time_rate")}
                    for r in districts["rows"]
                ],
                "categories": [{"name": r["name"], "reported": r["reported"]} for r in top],
                "monthly": monthly["rows"],
            },
        },
    )


@require_safe
def map_page(request):
    units = selectors.county_units()
    try:
        region = selectors.region_param(request.GET, units=units)
    except BadQuery as error:
        return _bad_page(request, error)
    grids = selectors.grid_document(region)
    hexagons = selectors.hexagon_document(region)
    data_query = f"?{urlencode({'region': region})}" if region else ""
    return render(
        request,
        "kpi/public/map.html",
        {
            "region": region,
            "units": units,
            "grids": grids,
            "grid_rows": [f["properties"] for f in grids["features"][:GRID_TABLE_SIZE]],
            "hexagons": hexagons,
            "data_query": data_query,
            "tile_url": settings.CHENGGUAN["MAP_TILE_URL"],
            "tile_attribution": settings.CHENGGUAN["MAP_TILE_ATTRIBUTION"],
            "boundary_attribution": selectors.BOUNDARY_ATTRIBUTION,
            "map_text": {
                "grids": gettext("网格（近 7 天）"),
                "hexagons": gettext("六边形（H3，近 7 天）"),
                "boundaries": gettext("县区边界"),
                "cases": gettext("件"),
                "loading": gettext("正在加载地图数据…"),
                "failed": gettext("地图数据加载失败，请稍后再试。"),
                "loaded": gettext("地图已加载：圆点越大，问题越多。"),
            },
        },
    )


@require_safe
def satisfaction_page(request):
    units = selectors.county_units()
    try:
        region = selectors.region_param(request.GET, units=units)
        month = selectors.month_param(request.GET)
    except BadQuery as error:
        return _bad_page(request, error)
    document = selectors.satisfaction_document(month, region)
    query = {k: v for k, v in (("month", request.GET.get("month", "").strip()),) if v}
    if region:
        query["region"] = region
    scored = [r for r in document["rows"] if r["combined"] is not None]
    return render(
        request,
        "kpi/public/satisfaction.html",
        {
            "document": document,
            "region": region,
            "units": units,
            "months": [m.strftime("%Y-%m") for m in selectors.satisfaction_months()],
            "data_query": f"?{urlencode(query)}" if query else "",
            "chart_data": {
                "labels": _chart_labels(),
                "satisfaction": [
                    {"name": r["agency"], "combined": r["combined"]}
                    for r in scored[:SATISFACTION_CHART_SIZE]
                ],
            },
        },
    )


# ---------------------------------------------------------------- open data


def _bad_request(error: BadQuery) -> JsonResponse:
    return JsonResponse(
        {"detail": error.message}, status=400, json_dumps_params={"ensure_ascii": False}
    )


def _open_data(document_for, fmt: str):
    """An open-data view: `document_for(request.GET)` gives the (cached) document or
    raises BadQuery; the decorated view receives it. Conditional GET (ETag over the
    figures, Last-Modified when they last changed), five-minute caching and CORS for all."""

    def document(request):
        if not hasattr(request, "_open_data"):
            try:
                request._open_data = document_for(request.GET)
            except BadQuery as error:
                request._open_data = error
        return request._open_data

    def etag(request, *args, **kwargs):
        found = document(request)
        return None if isinstance(found, BadQuery) else f'"{fmt}-{found["_digest"]}"'

    def last_modified(request, *args, **kwargs):
        found = document(request)
        return None if isinstance(found, BadQuery) else found["_modified"]

    def decorator(render_document):
        @wraps(render_document)
        @require_safe
        @condition(etag_func=etag, last_modified_func=last_modified)
        def conditional(request):
            found = document(request)
            if isinstance(found, BadQuery):
                return _bad_request(found)
            return render_document(request, found)

        @wraps(render_document)
        def view(request):
            response = conditional(request)
            if response.status_code in (200, 304):
                response["Cache-Control"] = OPEN_DATA_CACHE
            response["Access-Control-Allow-Origin"] = "*"
            return response

        return view

    return decorator


def _json(document: dict, *, content_type: str = "application/json; charset=utf-8"):
    return HttpResponse(
        json.dumps(selectors.public(document), ensure_ascii=False, indent=1),
        content_type=content_type,
    )


def _geojson(document: dict):
    return _json(document, content_type="application/geo+json; charset=utf-8")


# A cell starting with one of these is a formula to a spreadsheet: quote it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(rows: list[list], filename: str):
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel in China opens UTF-8 correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(rows[0])
    writer.writerows([_cell(v) for v in row] for row in rows[1:])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


COUNT_HEADERS = (
    ("reported", "上报数"),
    ("registered", "立案数"),
    ("closed", "结案数"),
    ("closed_on_time", "按期结案数"),
    ("on_time_rate", "按期结案率（%）"),
)
DISTRICT_HEADERS = (("code", "区划代码"), ("name", "名称"), *COUNT_HEADERS)
CATEGORY_HEADERS = (
    ("rank", "排名"),
    ("kind_label", "类型"),
    ("code", "小类代码"),
    ("name", "小类名称"),
    ("major_name", "大类名称"),
    *COUNT_HEADERS,
)
MONTHLY_HEADERS = (("month", "月份"), *COUNT_HEADERS)
SATISFACTION_HEADERS = (
    ("rank", "排名"),
    ("agency_code", "机构代码"),
    ("agency", "机构名称"),
    ("region_code", "区划代码"),
    ("district", "所属区域"),
    ("combined", "综合满意度"),
    ("ratings_count", "群众评价条数"),
    ("ratings", "群众评价得分"),
    ("survey", "满意度调查得分"),
    ("third_party", "第三方测评得分"),
)


def _period_rows(document: dict, headers) -> list[list]:
    """Header first; every row carries the period and the scope (a CSV has no metadata)."""
    period = document["period"]
    scope = document["scope"]
    rows = [[*(label for _key, label in headers), "统计范围", "起始日期", "截止日期"]]
    for record in document["rows"]:
        rows.append(
            [*(record[key] for key, _label in headers), scope["name"], period["from"], period["to"]]
        )
    return rows


def _stats_document(build):
    return lambda params: build(StatsQuery.from_query(params))


def _region_document(build):
    return lambda params: build(selectors.region_param(params))


def _satisfaction(params) -> dict:
    region = selectors.region_param(params)
    return selectors.satisfaction_document(selectors.month_param(params), region)


@_open_data(_stats_document(selectors.district_document), "json")
def districts_json(request, document):
    return _json(document)


@_open_data(_stats_document(selectors.district_document), "csv")
def districts_csv(request, document):
    return _csv(_period_rows(document, DISTRICT_HEADERS), "districts.csv")


@_open_data(_stats_document(selectors.category_document), "json")
def categories_json(request, document):
    return _json(document)


@_open_data(_stats_document(selectors.category_document), "csv")
def categories_csv(request, document):
    return _csv(_period_rows(document, CATEGORY_HEADERS), "categories.csv")


@_open_data(_stats_document(selectors.monthly_document), "json")
def monthly_json(request, document):
    return _json(document)


@_open_data(_stats_document(selectors.monthly_document), "csv")
def monthly_csv(request, document):
    scope = document["scope"]["name"]
    rows = [[*(label for _key, label in MONTHLY_HEADERS), "统计范围"]]
    rows += [[*(r[key] for key, _label in MONTHLY_HEADERS), scope] for r in document["rows"]]
    return _csv(rows, "monthly.csv")


@_open_data(_region_document(selectors.grid_document), "geojson")
def grids_geojson(request, document):
    return _geojson(document)


@_open_data(_region_document(selectors.hexagon_document), "geojson")
def hexagons_geojson(request, document):
    return _geojson(document)


@_open_data(lambda params: selectors.boundary_document(), "geojson")
def boundaries_geojson(request, document):
    return _geojson(document)


@_open_data(_satisfaction, "json")
def satisfaction_json(request, document):
    return _json(document)


@_open_data(_satisfaction, "csv")
def satisfaction_csv(request, document):
    month = document["month"] or ""
    rows = [[*(label for _key, label in SATISFACTION_HEADERS), "月份"]]
    rows += [[*(r[key] for key, _label in SATISFACTION_HEADERS), month] for r in document["rows"]]
    return _csv(rows, f"satisfaction-{month}.csv" if month else "satisfaction.csv")
