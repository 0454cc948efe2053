"""Grid planning, the locator and the grid API on the database."""

import re
from io import StringIO

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from chengguan.core.geoindex import OutsideCoverage
from chengguan.core.models import LedgerEntry
from chengguan.org import selectors
from chengguan.org.grid_planning import grids_plan
from chengguan.org.models import Grid, Region

pytestmark = pytest.mark.django_db
UNIT = "410106"


def test_grids_are_coded_by_street_and_sized_for_about_3000_people():
    grids = Grid.objects.filter(region_code=UNIT).select_related("street")
    unit = Region.objects.get(code=UNIT)
    assert grids.count() == pytest.approx(unit.population / 3000, rel=0.1)
    for grid in grids:
        assert re.fullmatch(r"\d{13}", grid.code) and grid.code.startswith(grid.street.code)
        assert 2100 <= grid.population <= 3900  # within the default ±30 %
        assert grid.street.unit_code == UNIT


def test_grids_of_a_unit_tile_its_planning_area_without_overlap():
    geoms = [g.geometry for g in Grid.objects.filter(region_code=UNIT)]
    union = shapely.union_all(geoms)
    assert sum(g.area for g in geoms) == pytest.approx(union.area, rel=1e-6)
    county = Region.objects.get(code=UNIT).geometry
    assert union.symmetric_difference(county).area < 1e-6 * county.area


def test_locate_finds_the_grid_its_street_and_county():
    for grid in Grid.objects.filter(region_code=UNIT).select_related("street")[:25]:
        point = grid.geometry.representative_point()
        found = selectors.locate(point.x, point.y)
        assert (found.grid_code, found.street_code, found.unit_code) == (
            grid.code,
            grid.street.code,
            UNIT,
        )
        assert found.unit_name == "上街区"


def test_a_point_outside_the_city_gets_a_clear_error():
    with pytest.raises(OutsideCoverage, match="不在本市网格范围内"):
        selectors.locate(116.397, 39.909)  # Beijing


def test_replanning_rebuilds_the_index():
    old_index = selectors.grid_index()
    grid = Grid.objects.filter(region_code=UNIT).first()
    point = grid.geometry.representative_point()
    grids_plan(units=[Region.objects.get(code=UNIT)], seed=99)
    new_index = selectors.grid_index(fresh=True)
    assert new_index.version > old_index.version
    found = selectors.locate(point.x, point.y)
    assert Grid.objects.filter(pk=found.grid_id).exists()
    assert not Grid.objects.filter(pk=grid.pk).exists()
    assert LedgerEntry.objects.filter(kind="grid.planned").count() >= 2


def test_plan_grids_command_reports_grids_outside_tolerance():
    out = StringIO()
    call_command("plan_grids", "--unit", UNIT, "--tolerance", "0.0001", stdout=out)
    text = out.getvalue()
    flagged = int(re.search(r"超出容差 ±0% 的网格：(\d+) 个", text).group(1))
    assert flagged > 0
    assert (
        len(re.findall(rf"^  {UNIT}\d{{7}}（", text, flags=re.M)) == flagged
    )  # each listed by code


def test_plan_grids_refuses_an_unknown_unit():
    with pytest.raises(CommandError, match="不是县级单位代码"):
        call_command("plan_grids", "--unit", "999999")


def test_plan_from_household_points(tmp_path):
    county = Region.objects.get(code=UNIT).geometry
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = county.bounds
    lon, lat = rng.uniform(minx, maxx, 6000), rng.uniform(miny, maxy, 6000)
    inside = shapely.contains_xy(county, lon, lat)
    lines = ["lon,lat,households,population"] + [
        f"{x:.6f},{y:.6f},10,30" for x, y in zip(lon[inside], lat[inside], strict=True)
    ]
    path = tmp_path / "households.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    call_command("plan_grids", "--unit", UNIT, "--surface", str(path), stdout=StringIO())
    people = 30 * int(inside.sum())
    grids = Grid.objects.filter(region_code=UNIT)
    assert sum(g.population for g in grids) == pytest.approx(people, abs=grids.count())
    assert grids.count() == pytest.approx(
        people / 3000, abs=len(Region.objects.filter(unit_code=UNIT, kind="street"))
    )


def test_household_file_with_a_bad_row_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("lon,lat,households,population\n113.3,34.8,ten,30\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("plan_grids", "--unit", UNIT, "--surface", str(path))


def test_whole_demo_city_gets_at_least_4000_grids_on_every_street():
    report = grids_plan(seed=2017)
    assert report.grids >= 4000
    assert report.unplanned == []
    assert Grid.objects.values("street").distinct().count() == 208
    zones = Region.objects.filter(kind="zone")
    assert all(z.boundary_source == "derived" for z in zones)
    assert Grid.objects.filter(region_code="410190").exists()  # 郑东新区 has grids of its own
    assert all(g.geometry.is_valid for g in Grid.objects.all())
    assert all(r.geometry.is_valid for r in Region.objects.exclude(geometry_wkb=None))


def test_demo_city_centre_lies_in_an_urban_street_not_a_rural_town():
    # 二七纪念塔 falls inside the coarse 管城回族区 polygon of the reference data.
    grids_plan(units=list(Region.objects.filter(code="410104")), seed=2017)
    found = selectors.locate(113.6656, 34.7536)
    assert found.unit_code == "410104"
    assert found.street_name.endswith("街道")
    towns = Region.objects.filter(unit_code="410104", name__endswith="乡")
    assert towns.exists() and found.street_code not in {t.code for t in towns}


# ---------------------------------------------------------------- API


@pytest.fixture
def leader(user_factory):
    return user_factory("leader", region="4101")


def test_api_locates_a_point(client, leader):
    client.force_login(leader)
    grid = Grid.objects.filter(region_code=UNIT).first()
    point = grid.geometry.representative_point()
    body = client.get("/api/org/locate", {"lon": point.x, "lat": point.y}).json()
    assert body["grid_code"] == grid.code and body["unit_name"] == "上街区"


def test_api_answers_outside_points_and_bad_input_with_4xx_and_a_message(client, leader):
    client.force_login(leader)
    outside = client.get("/api/org/locate", {"lon": 116.397, "lat": 39.909})
    assert outside.status_code == 400 and "不在本市网格范围内" in outside.json()["detail"]
    bad = client.get("/api/org/locate", {"lon": "abc", "lat": 34.8})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "lon"
    off_earth = client.get("/api/org/locate", {"lon": 200, "lat": 34.8})
    assert off_earth.status_code == 422


def test_api_serves_grids_as_geojson(client, leader):
    client.force_login(leader)
    body = client.get("/api/org/grids", {"unit": UNIT}).json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == Grid.objects.filter(region_code=UNIT).count()
    assert body["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    bad = client.get("/api/org/grids", {"bbox": "1,2,3"})
    assert bad.status_code == 400 and "bbox" in bad.json()["detail"]


def test_api_serves_boundaries_and_the_region_tree(client, leader):
    client.force_login(leader)
    boundaries = client.get("/api/org/boundaries", {"level": "county"}).json()
    assert len(boundaries["features"]) >= 12
    tree = client.get("/api/org/regions/tree").json()
    assert tree[0]["code"] == "4101" and len(tree[0]["children"]) == 16
