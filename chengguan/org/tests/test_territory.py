"""Zhengzhou's territory and agencies as loaded from the reference data."""

import pytest
from django.db.models import Sum

from chengguan.core.models import LedgerEntry
from chengguan.core.reference import read_text
from chengguan.org.models import Agency, Region
from chengguan.org.services import agencies_build, regions_load

pytestmark = pytest.mark.django_db


def test_city_has_fifteen_statistical_units_plus_zhengdong_and_208_streets():
    units = Region.objects.filter(kind__in=["county", "zone"])
    assert Region.objects.get(kind="city").code == "4101"
    assert units.filter(statistical=True).count() == 15
    assert set(units.filter(kind="zone").values_list("short_name", flat=True)) == {
        "经开区",
        "高新区",
        "航空港区",
        "郑东新区",
    }
    assert Region.objects.filter(kind="street").count() == 208


def test_zhengdong_streets_hang_under_the_zone_but_keep_their_statistical_county():
    rywh = Region.objects.get(name="如意湖街道")
    assert rywh.parent.name == "郑东新区"
    assert rywh.unit_code == "410190"
    assert rywh.stat_parent_code == "410105"
    assert Region.objects.get(code="410105001").parent.code == "410105"


def test_populations_add_up_to_the_2020_census():
    units = Region.objects.filter(kind__in=["county", "zone"])
    total = units.aggregate(Sum("population"))["population__sum"]
    assert Region.objects.get(code="4101").population == 12_600_574
    assert abs(total - 12_600_574) < 20  # rounding only
    assert Region.objects.get(code="410105").population > 1_000_000  # census band: > 1,000,000
    streets = Region.objects.filter(unit_code="410106", kind="street")
    assert (
        abs(sum(s.population for s in streets) - Region.objects.get(code="410106").population) < 10
    )


def test_loading_again_creates_nothing_new():
    before = Region.objects.count()
    counts = regions_load(
        divisions_csv=read_text("zhengzhou_admin_divisions_4101_to_town.csv"),
        zones_csv=read_text("zones.csv"),
    )
    assert counts["created"] == 0 and Region.objects.count() == before
    assert LedgerEntry.objects.filter(kind="region.loaded").count() == 2


def test_agency_structure_follows_the_seed():
    commission = Agency.objects.get(code="4101-CGW")
    assert commission.also_named == "郑州市城市综合执法局"
    assert Agency.objects.get(code="4101-ZD").parent == commission
    for unit in Region.objects.filter(kind__in=["county", "zone"]):
        bureau = Agency.objects.get(region=unit, kind="bureau")
        assert bureau.also_named.endswith("城市综合执法局")
        assert Agency.objects.get(region=unit, kind="detachment").parent == bureau


def test_every_street_has_a_brigade_led_by_the_bureau_and_managed_by_the_street():
    brigades = Agency.objects.filter(kind="brigade").select_related(
        "parent", "managed_by", "region"
    )
    assert brigades.count() == 208
    for brigade in brigades:
        assert brigade.parent.kind == "bureau"
        assert brigade.parent.region.code == brigade.region.unit_code
        assert brigade.managed_by.kind == "street_office"
        assert brigade.managed_by.region == brigade.region


def test_professional_departments_exist_for_handling_cases():
    specialties = set(Agency.objects.filter(kind="department").values_list("specialty", flat=True))
    assert {
        "sanitation",
        "municipal",
        "landscaping",
        "water",
        "power",
        "gas",
        "telecom",
        "traffic_police",
    } <= specialties


def test_building_agencies_again_is_idempotent():
    before = Agency.objects.count()
    assert agencies_build(departments_csv=read_text("departments.csv"))["created"] == 0
    assert Agency.objects.count() == before
