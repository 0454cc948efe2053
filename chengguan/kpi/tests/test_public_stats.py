"""The public statistics (城市管理数据公开, /public/stats/), no login.

Roll-up and satisfaction rows are made by hand (`bulk_create`), so every figure the pages
and the open data show can be checked against a sum done here; the grid map counts a few
cases reported through the service in 上街区 (410106, the unit with grids in the test DB).
"""

import csv
import io
import json
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import h3
import pytest
from django.core.cache import cache
from django.utils import timezone

from chengguan.cases.models import Case, Category
from chengguan.cases.services import Contact, case_report
from chengguan.kpi import public_selectors
from chengguan.kpi.models import DailyRollup, HexRollup, SatisfactionScore
from chengguan.org.models import Agency, Grid, Region

UNIT = "410106"  # 上街区
OTHER = "410102"  # 中原区
BASE = "/public/stats/"
# Zhengzhou's extent, with a margin: every coordinate of the open data falls inside.
LON = (112.7, 114.3)
LAT = (34.2, 35.0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The documents are cached five minutes: no test may see another's."""
    cache.clear()
    yield
    cache.clear()


def _month_start(day, back=0):
    return public_selectors._month_start(day, back)


def _text(response) -> str:
    return response.content.decode("utf-8-sig")


def _json(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(_text(response))))


@pytest.fixture
def garbage():
    return Category.objects.get(kind="matter", code="06010")  # 暴露垃圾


@pytest.fixture
def other_category(garbage):
    return Category.objects.filter(kind="component", active=True).order_by("code")[0]


@pytest.fixture
def streets():
    return list(
        Region.objects.filter(kind=Region.Kind.STREET, unit_code=UNIT)
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )


@pytest.fixture
def rollups(garbage, other_category, streets):
    """Roll-up rows this month, last month, and 13 months ago (outside the default year)."""
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = _month_start(today, 1)
    long_ago = _month_start(today, 13)
    g, o = garbage, other_category
    # (day, region, street, category, reported, registered, closed, on time)
    spec = [
        (this_month, UNIT, streets[0], g, 10, 8, 6, 5),
        (today, UNIT, streets[0], g, 3, 3, 2, 2),
        (this_month, UNIT, streets[1], o, 4, 4, 4, 1),
        (last_month, UNIT, streets[1], g, 7, 6, 5, 5),
        (last_month, OTHER, "", o, 6, 5, 4, 3),
        (long_ago, UNIT, streets[0], g, 100, 100, 100, 100),
    ]
    DailyRollup.objects.bulk_create(
        DailyRollup(
            day=day,
            region_code=region,
            street_code=street,
            category_code=category.code,
            category_kind=category.kind,
            channel="web",
            reported=reported,
            registered=registered,
            closed=closed,
            closed_on_time=on_time,
        )
        for day, region, street, category, reported, registered, closed, on_time in spec
    )
    return spec


def _sums(spec, *, region=None, street=None, category=None, since=None):
    out = {"reported": 0, "registered": 0, "closed": 0, "closed_on_time": 0}
    for day, r, s, c, rep, reg, clo, ont in spec:
        if (region and r != region) or (street is not None and s != street):
            continue
        if (category and c != category) or (since and day < since):
            continue
        out["reported"] += rep
        out["registered"] += reg
        out["closed"] += clo
        out["closed_on_time"] += ont
    out["on_time_rate"] = (
        float(
            (Decimal(out["closed_on_time"] * 100) / out["closed"]).quantize(
                Decimal("0.1"), ROUND_HALF_UP
            )
        )
        if out["closed"]
        else None
    )
    return out


def _year_start():
    return _month_start(timezone.localdate(), 11)


# ---------------------------------------------------------------- pages


@pytest.mark.django_db
def test_pages_render_without_login(client, rollups, garbage):
    for url in (BASE, f"{BASE}?region={UNIT}&months=24", f"{BASE}map/", f"{BASE}satisfaction/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "login" not in response.get("Location", "")
    page = _text(client.get(BASE))
    assert "城市管理数据公开" in page
    assert "上街区" in page and "中原区" in page
    assert garbage.name in page
    assert "按期结案率" in page and "每几分钟" in page
    assert f"{BASE}districts.json" in page and f"{BASE}monthly.csv" in page
    assert "echarts.min.js" in page
    unit = _text(client.get(BASE, {"region": UNIT}))
    assert f"districts.json?region={UNIT}" in unit


@pytest.mark.django_db
def test_home_links_to_the_statistics(client):
    assert f'href="{BASE}"' in _text(client.get("/public/"))


# ---------------------------------------------------------------- figures


@pytest.mark.django_db
def test_districts_equal_hand_sums(client, rollups):
    document = _json(client.get(f"{BASE}districts.json"))
    assert document["level"] == "county"
    assert document["scope"] == {"code": "4101", "name": "郑州市"}
    assert set(document["fields"]) >= {"code", "reported", "closed", "on_time_rate"}
    assert document["updated_at"]
    assert not [key for key in document if key.startswith("_")]  # internal keys stay home
    rows = {r["code"]: r for r in document["rows"]}
    since = _year_start()
    for code in (UNIT, OTHER):
        expected = _sums(rollups, region=code, since=since)
        assert {k: rows[code][k] for k in expected} == expected, code
    assert rows[UNIT]["name"] == "上街区"
    # Every county-level unit is listed, those without cases at 0.
    assert rows["410105"]["reported"] == 0 and rows["410105"]["on_time_rate"] is None
    assert document["total"] == _sums(rollups, since=since)
    assert document["total"]["reported"] == 10 + 3 + 4 + 7 + 6

    older = _json(client.get(f"{BASE}districts.json", {"months": "24"}))
    assert older["total"]["reported"] == document["total"]["reported"] + 100


@pytest.mark.django_db
def test_district_filter_breaks_down_by_street(client, rollups, streets):
    document = _json(client.get(f"{BASE}districts.json", {"region": UNIT}))
    assert document["level"] == "street"
    assert document["scope"] == {"code": UNIT, "name": "上街区"}
    rows = {r["code"]: r for r in document["rows"]}
    since = _year_start()
    for street in streets:
        expected = _sums(rollups, region=UNIT, street=street, since=since)
        assert {k: rows[street][k] for k in expected} == expected
        assert rows[street]["name"] == Region.objects.get(code=street).name
    assert document["total"] == _sums(rollups, region=UNIT, since=since)
    assert sum(r["reported"] for r in document["rows"]) == document["total"]["reported"]

    # The other figures follow the district too.
    categories = _json(client.get(f"{BASE}categories.json", {"region": UNIT}))
    assert categories["total"] == _sums(rollups, region=UNIT, since=since)
    monthly = _json(client.get(f"{BASE}monthly.json", {"region": OTHER}))
    assert monthly["total"]["reported"] == 6
    # 4101 means the whole city, like no region at all.
    city = _json(client.get(f"{BASE}districts.json", {"region": "4101"}))
    assert city["level"] == "county"


@pytest.mark.django_db
def test_categories_with_names_most_reported_first(client, rollups, garbage, other_category):
    document = _json(client.get(f"{BASE}categories.json"))
    rows = document["rows"]
    assert [r["rank"] for r in rows] == [1, 2]
    first, second = rows
    since = _year_start()
    assert (first["kind"], first["code"], first["name"]) == ("matter", "06010", garbage.name)
    assert first["major_name"] == garbage.major_name and first["kind_label"] == "事件"
    assert {k: first[k] for k in ("reported", "closed", "closed_on_time", "on_time_rate")} == {
        k: v for k, v in _sums(rollups, category=garbage, since=since).items() if k != "registered"
    }
    assert second["name"] == other_category.name
    assert second["reported"] == _sums(rollups, category=other_category, since=since)["reported"]

    table = _csv(client.get(f"{BASE}categories.csv"))
    assert table[0][:4] == ["排名", "类型", "小类代码", "小类名称"]
    assert "按期结案率（%）" in table[0]
    assert table[1][3] == garbage.name
    assert int(table[1][table[0].index("上报数")]) == first["reported"]


@pytest.mark.django_db
def test_monthly_lists_every_month(client, rollups):
    today = timezone.localdate()
    document = _json(client.get(f"{BASE}monthly.json"))
    rows = document["rows"]
    assert len(rows) == 12
    assert rows[-1]["month"] == today.strftime("%Y-%m")
    assert rows[0]["month"] == _year_start().strftime("%Y-%m")
    this_month = today.replace(day=1)
    last_month = _month_start(today, 1)
    by_month = {r["month"]: r for r in rows}
    current = _sums([r for r in rollups if r[0] >= this_month])
    previous = _sums([r for r in rollups if last_month <= r[0] < this_month])
    assert {k: by_month[this_month.strftime("%Y-%m")][k] for k in current} == current
    assert {k: by_month[last_month.strftime("%Y-%m")][k] for k in previous} == previous
    assert sum(r["reported"] for r in rows) == document["total"]["reported"]
    empty = [r for r in rows if r["month"] not in (this_month.strftime("%Y-%m"),)]
    assert any(r["reported"] == 0 and r["on_time_rate"] is None for r in empty)

    assert len(_json(client.get(f"{BASE}monthly.json", {"months": "3"}))["rows"]) == 3
    table = _csv(client.get(f"{BASE}monthly.csv"))
    assert table[0] == [
        "月份",
        "上报数",
        "立案数",
        "结案数",
        "按期结案数",
        "按期结案率（%）",
        "统计范围",
    ]
    assert len(table) == 13
    assert table[-1][0] == today.strftime("%Y-%m")
    assert int(table[-1][1]) == current["reported"]


@pytest.mark.django_db
def test_csv_has_bom_and_chinese_headers(client, rollups):
    response = client.get(f"{BASE}districts.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = _csv(response)
    assert table[0] == [
        "区划代码",
        "名称",
        "上报数",
        "立案数",
        "结案数",
        "按期结案数",
        "按期结案率（%）",
        "统计范围",
        "起始日期",
        "截止日期",
    ]
    row = next(r for r in table if r[0] == UNIT)
    expected = _sums(rollups, region=UNIT, since=_year_start())
    assert row[1] == "上街区"
    assert [int(v) for v in row[2:6]] == [
        expected[k] for k in ("reported", "registered", "closed", "closed_on_time")
    ]
    assert float(row[6]) == expected["on_time_rate"]
    assert row[7] == "郑州市"


# ---------------------------------------------------------------- bad parameters


BAD = [
    ("districts.json", {"region": "999999"}),
    ("districts.csv", {"region": "金水区"}),
    ("categories.json", {"months": "0"}),
    ("categories.csv", {"months": "37"}),
    ("monthly.json", {"months": "abc"}),
    ("monthly.csv", {"months": "²"}),
    ("monthly.json", {"months": "-3"}),
    ("grids.geojson", {"region": "41010"}),
    ("hexagons.geojson", {"region": "x' or 1=1"}),
    ("satisfaction.json", {"month": "2026-13"}),
    ("satisfaction.csv", {"month": "last"}),
    ("satisfaction.json", {"region": "4101999"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "params"), BAD)
def test_bad_parameters_are_400_with_a_chinese_message(client, path, params):
    response = client.get(f"{BASE}{path}", params)
    assert response.status_code == 400
    detail = json.loads(response.content)["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" not in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("", {"months": "99"}),
        ("", {"region": "1"}),
        ("map/", {"region": "9"}),
        ("satisfaction/", {"month": "x"}),
    ],
)
def test_bad_parameters_on_pages_are_400(client, path, params):
    response = client.get(f"{BASE}{path}", params)
    assert response.status_code == 400
    assert "查询条件有误" in _text(response)


# ---------------------------------------------------------------- caching


OPEN_DATA = [
    "districts.json",
    "districts.csv",
    "categories.json",
    "categories.csv",
    "monthly.json",
    "monthly.csv",
    "grids.geojson",
    "hexagons.geojson",
    "boundaries.geojson",
    "satisfaction.json",
    "satisfaction.csv",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", OPEN_DATA)
def test_open_data_is_cacheable_and_revalidates(client, rollups, path):
    response = client.get(f"{BASE}{path}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    etag, modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('"') and modified

    again = client.get(f"{BASE}{path}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "public, max-age=300"
    assert client.get(f"{BASE}{path}", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(f"{BASE}{path}", HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.django_db
def test_etag_changes_with_the_figures_and_the_format(client, rollups, garbage):
    first = client.get(f"{BASE}districts.json")["ETag"]
    assert client.get(f"{BASE}districts.csv")["ETag"] != first
    assert client.get(f"{BASE}districts.json", {"region": UNIT})["ETag"] != first
    DailyRollup.objects.create(
        day=timezone.localdate(),
        region_code=UNIT,
        category_code=garbage.code,
        category_kind=garbage.kind,
        channel="web",
        reported=1,
    )
    cache.clear()  # the five minutes are over
    response = client.get(f"{BASE}districts.json", HTTP_IF_NONE_MATCH=first)
    assert response.status_code == 200
    assert response["ETag"] != first


# ---------------------------------------------------------------- the map


def _inside_zhengzhou(lon, lat):
    return LON[0] < lon < LON[1] and LAT[0] < lat < LAT[1]


@pytest.fixture
def recent_cases(user_factory, garbage, other_category):
    """Four cases in two grids of 上街区 in the last 7 days, and one 10 days ago."""
    operator = user_factory("operator", region="4101")
    grids = list(Grid.objects.filter(region_code=UNIT).order_by("code")[:2])
    now = timezone.now()
    made = []
    plan = [
        (grids[0], garbage, now - timedelta(hours=2)),
        (grids[0], garbage, now - timedelta(days=1)),
        (grids[0], other_category, now - timedelta(days=3)),
        (grids[1], garbage, now - timedelta(days=6)),
        (grids[1], garbage, now - timedelta(days=10)),  # too old for the map
    ]
    for grid, category, at in plan:
        point = grid.geometry.representative_point()
        made.append(
            case_report(
                actor=operator,
                category=category,
                lon=point.x,
                lat=point.y,
                description="路边垃圾堆放",
                channel=Case.Channel.HOTLINE,
                contact=Contact("张三", "13812341234"),
                at=at,
            )
        )
    return grids, made


@pytest.mark.django_db
def test_grids_geojson_counts_recent_cases_at_grid_centroids(client, recent_cases, garbage):
    grids, cases = recent_cases
    assert {c.grid_id for c in cases} == {g.pk for g in grids}
    response = client.get(f"{BASE}grids.geojson")
    assert response["Content-Type"].startswith("application/geo+json")
    document = _json(response)
    assert document["type"] == "FeatureCollection"
    assert document["fields"]["count"]
    by_grid = {f["properties"]["grid"]: f for f in document["features"]}
    assert set(by_grid) == {g.code for g in grids}
    first, second = by_grid[grids[0].code], by_grid[grids[1].code]
    assert first["properties"]["count"] == 3 and second["properties"]["count"] == 1
    assert document["total"] == 4
    categories = {c["code"]: c["count"] for c in first["properties"]["categories"]}
    assert categories["06010"] == 2 and sum(categories.values()) == 3
    assert first["properties"]["categories"][0]["name"] == garbage.name
    assert first["properties"]["district"] == "上街区"
    for grid, feature in ((grids[0], first), (grids[1], second)):
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert _inside_zhengzhou(lon, lat)
        assert (lon, lat) == (round(grid.centroid_lon, 5), round(grid.centroid_lat, 5))
        assert set(feature["properties"]) == {
            "grid",
            "street",
            "district",
            "region_code",
            "count",
            "categories",
        }
    # A district without these cases has none; the page lists the grids.
    assert _json(client.get(f"{BASE}grids.geojson", {"region": OTHER}))["features"] == []
    page = _text(client.get(f"{BASE}map/"))
    assert grids[0].code in page and "leaflet.js" in page


@pytest.mark.django_db
def test_hexagons_geojson_sums_the_last_seven_days(client):
    today = timezone.localdate()
    cell = h3.latlng_to_cell(34.75, 113.65, 8)
    other = h3.latlng_to_cell(34.80, 113.60, 8)
    HexRollup.objects.bulk_create(
        [
            HexRollup(day=today, cell=cell, region_code="410105", reported=3),
            HexRollup(day=today - timedelta(days=6), cell=cell, region_code="410105", reported=2),
            HexRollup(day=today - timedelta(days=7), cell=cell, region_code="410105", reported=50),
            HexRollup(day=today - timedelta(days=2), cell=other, region_code=OTHER, reported=4),
        ]
    )
    document = _json(client.get(f"{BASE}hexagons.geojson"))
    assert document["type"] == "FeatureCollection"
    counts = {f["properties"]["cell"]: f["properties"]["count"] for f in document["features"]}
    assert counts == {cell: 5, other: 4}
    assert document["total"] == 9
    for feature in document["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        ring = feature["geometry"]["coordinates"][0]
        assert len(ring) == 7 and ring[0] == ring[-1]
        assert all(_inside_zhengzhou(lon, lat) for lon, lat in ring)
    filtered = _json(client.get(f"{BASE}hexagons.geojson", {"region": OTHER}))
    assert [f["properties"]["cell"] for f in filtered["features"]] == [other]


@pytest.mark.django_db
def test_boundaries_geojson_outlines_the_county_level_units(client):
    document = _json(client.get(f"{BASE}boundaries.geojson"))
    assert document["type"] == "FeatureCollection"
    assert "OpenStreetMap" in document["attribution"]
    codes = {f["properties"]["code"] for f in document["features"]}
    assert {UNIT, OTHER} <= codes
    for feature in document["features"]:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        polygons = feature["geometry"]["coordinates"]
        if feature["geometry"]["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for lon, lat in polygon[0]:
                assert _inside_zhengzhou(lon, lat)


# ---------------------------------------------------------------- satisfaction


@pytest.fixture
def scores():
    today = timezone.localdate()
    latest, earlier = _month_start(today, 1), _month_start(today, 2)
    san, mun, land = (
        Agency.objects.get(code=f"{UNIT}-DEPT-{suffix}") for suffix in ("SAN", "MUN", "LAND")
    )
    now = timezone.now()
    SatisfactionScore.objects.bulk_create(
        [
            SatisfactionScore(
                period="month",
                period_start=latest,
                agency=san,
                region_code=UNIT,
                ratings_count=12,
                ratings=Decimal("80.00"),
                survey=Decimal("90.00"),
                third_party=Decimal("70.00"),
                combined=Decimal("81.00"),
                computed_at=now,
            ),
            SatisfactionScore(
                period="month",
                period_start=latest,
                agency=mun,
                region_code=UNIT,
                ratings_count=3,  # too few: no ratings score
                ratings=None,
                survey=Decimal("95.50"),
                third_party=None,
                combined=Decimal("95.50"),
                computed_at=now,
            ),
            SatisfactionScore(
                period="month",
                period_start=latest,
                agency=land,
                region_code=UNIT,
                computed_at=now,
            ),
            SatisfactionScore(
                period="month",
                period_start=earlier,
                agency=san,
                region_code=UNIT,
                ratings_count=6,
                ratings=Decimal("60.00"),
                combined=Decimal("60.00"),
                computed_at=now,
            ),
            SatisfactionScore(
                period="quarter",
                period_start=latest,
                agency=land,
                region_code=UNIT,
                combined=Decimal("10.00"),
                computed_at=now,
            ),
        ]
    )
    return latest, earlier, san, mun, land


@pytest.mark.django_db
def test_satisfaction_latest_month_per_agency(client, scores):
    latest, earlier, san, mun, land = scores
    document = _json(client.get(f"{BASE}satisfaction.json"))
    assert document["month"] == latest.strftime("%Y-%m")
    assert "50%" in document["method"] and "30%" in document["method"]
    assert "20%" in document["method"] and "5 条" in document["method"]
    assert document["weights"] == {"ratings": 50, "survey": 30, "third_party": 20}
    rows = document["rows"]
    assert [r["agency"] for r in rows] == [mun.name, san.name, land.name]
    assert [r["rank"] for r in rows] == [1, 2, None]
    assert rows[0]["ratings"] is None and rows[0]["ratings_count"] == 3
    assert rows[0]["combined"] == 95.5
    assert rows[1] | {} == {
        "rank": 2,
        "agency_code": san.code,
        "agency": san.name,
        "region_code": UNIT,
        "district": "上街区",
        "combined": 81.0,
        "ratings_count": 12,
        "ratings": 80.0,
        "survey": 90.0,
        "third_party": 70.0,
    }
    older = _json(client.get(f"{BASE}satisfaction.json", {"month": earlier.strftime("%Y-%m")}))
    assert [(r["agency"], r["combined"]) for r in older["rows"]] == [(san.name, 60.0)]
    assert _json(client.get(f"{BASE}satisfaction.json", {"region": OTHER}))["rows"] == []

    table = _csv(client.get(f"{BASE}satisfaction.csv"))
    assert table[0][:3] == ["排名", "机构代码", "机构名称"] and table[0][-1] == "月份"
    assert table[1][2] == mun.name and table[1][5] == "95.5"
    assert table[3][0] == "" and table[3][-1] == latest.strftime("%Y-%m")

    page = _text(client.get(f"{BASE}satisfaction/"))
    assert san.name in page and "95.5" in page
    assert "50%" in page and "30%" in page and "20%" in page and "满 5 条" in page


@pytest.mark.django_db
def test_satisfaction_without_scores(client):
    document = _json(client.get(f"{BASE}satisfaction.json"))
    assert document["month"] is None and document["rows"] == []
    assert client.get(f"{BASE}satisfaction/").status_code == 200


# ---------------------------------------------------------------- in a browser


@pytest.mark.e2e
@pytest.mark.skipif(
    not __import__("pathlib").Path("/usr/bin/chromium").exists(), reason="no Debian chromium"
)
@pytest.mark.django_db(transaction=True)
def test_pages_draw_charts_and_map_on_a_phone(live_server, user_factory):
    from playwright.sync_api import sync_playwright

    from chengguan.web.tests.browser import SCREENSHOTS, launch
    from conftest import load_territory

    load_territory()
    garbage = Category.objects.get(kind="matter", code="06010")
    other = Category.objects.filter(kind="component", active=True).order_by("code")[0]
    today = timezone.localdate()
    DailyRollup.objects.bulk_create(
        DailyRollup(
            day=_month_start(today, back),
            region_code=region,
            street_code="",
            category_code=category.code,
            category_kind=category.kind,
            channel="web",
            reported=5 + back + len(region),
            registered=4 + back,
            closed=3 + back,
            closed_on_time=2 + back,
        )
        for back in range(12)
        for region in (UNIT, OTHER, "410105")
        for category in (garbage, other)
    )
    operator = user_factory("operator", region="4101")
    for grid in Grid.objects.filter(region_code=UNIT).order_by("code")[:5]:
        point = grid.geometry.representative_point()
        case_report(
            actor=operator,
            category=garbage,
            lon=point.x,
            lat=point.y,
            description="路边垃圾堆放",
            channel=Case.Channel.HOTLINE,
            contact=Contact("张三", "13812341234"),
        )
        HexRollup.objects.get_or_create(
            day=today,
            cell=h3.latlng_to_cell(point.y, point.x, 8),
            region_code=UNIT,
            defaults={"reported": 2},
        )

    SatisfactionScore.objects.bulk_create(
        SatisfactionScore(
            period="month",
            period_start=_month_start(today, 1),
            agency=agency,
            region_code=agency.region.code,
            ratings_count=10 + i,
            ratings=Decimal(70 + i),
            survey=Decimal(80) if i % 2 else None,
            combined=Decimal(75 + i),
            computed_at=timezone.now(),
        )
        for i, agency in enumerate(Agency.objects.select_related("region").order_by("code")[:12])
    )

    errors = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live_server.url}{BASE}")
            for chart in ("chart-districts", "chart-categories", "chart-monthly"):
                page.wait_for_selector(f"#{chart} canvas")
            page.screenshot(path=str(SCREENSHOTS / "e2e-public-stats.png"), full_page=True)
            page.goto(f"{live_server.url}{BASE}map/?region={UNIT}")
            page.wait_for_function(
                "document.getElementById('map-status').textContent.includes('圆点')"
            )
            page.wait_for_timeout(300)
            page.screenshot(path=str(SCREENSHOTS / "e2e-public-map.png"), full_page=True)
            page.goto(f"{live_server.url}{BASE}satisfaction/")
            page.wait_for_selector("#chart-satisfaction canvas")
            page.screenshot(path=str(SCREENSHOTS / "e2e-public-satisfaction.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
