"""`import_boundaries`: valid features land, every bad one is reported, nothing silently."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chengguan.core.models import LedgerEntry
from chengguan.org.models import Region

pytestmark = pytest.mark.django_db

SQUARE = [[[113.30, 34.80], [113.35, 34.80], [113.35, 34.85], [113.30, 34.85], [113.30, 34.80]]]
BOWTIE = [[[113.30, 34.80], [113.35, 34.85], [113.35, 34.80], [113.30, 34.85], [113.30, 34.80]]]


def feature(code, coords, kind="Polygon"):
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": kind, "coordinates": coords},
    }


def write(tmp_path, features):
    path = tmp_path / "streets.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


def test_good_street_boundary_is_imported_and_ledgered(tmp_path, capsys):
    call_command(
        "import_boundaries",
        str(write(tmp_path, [feature("410106001", SQUARE)])),
        "--level",
        "street",
    )
    street = Region.objects.get(code="410106001")
    assert street.boundary_source == "imported"
    assert 20 < street.area_km2 < 30  # 0.05° × 0.05° at 34.8°N ≈ 25 km²
    assert LedgerEntry.objects.filter(
        kind="region.boundary_imported", subject_id=str(street.pk)
    ).exists()


def test_every_bad_feature_is_reported_and_the_good_ones_still_land(tmp_path):
    features = [
        feature("410106002", SQUARE),
        feature("410106003", BOWTIE),
        feature("999999999", SQUARE),
        feature("410106004", [113.3, 34.8], kind="Point"),
        feature("410106005", [[[513.3, 34.8], [513.4, 34.8], [513.4, 34.9], [513.3, 34.8]]]),
        {"type": "Feature", "properties": {}, "geometry": None},
    ]
    with pytest.raises(CommandError, match="5 个要素未导入"):
        call_command("import_boundaries", str(write(tmp_path, features)), "--level", "street")
    assert Region.objects.get(code="410106002").boundary_source == "imported"
    assert Region.objects.get(code="410106003").boundary_source != "imported"


def test_problems_name_the_feature_and_the_reason(tmp_path, capsys):
    features = [feature("410106003", BOWTIE), feature("999999999", SQUARE)]
    with pytest.raises(CommandError):
        call_command("import_boundaries", str(write(tmp_path, features)), "--level", "street")
    err = capsys.readouterr().err
    assert "第 1 个要素" in err and "几何无效" in err and "Self-intersection" in err
    assert "第 2 个要素" in err and "999999999" in err


def test_repair_fixes_an_invalid_polygon(tmp_path):
    call_command(
        "import_boundaries",
        str(write(tmp_path, [feature("410106003", BOWTIE)])),
        "--level",
        "street",
        "--repair",
    )
    assert Region.objects.get(code="410106003").boundary_source == "imported"


def test_county_code_is_refused_at_street_level(tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "import_boundaries",
            str(write(tmp_path, [feature("410106", SQUARE)])),
            "--level",
            "street",
        )


def test_not_json_gets_a_clear_error(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON"):
        call_command("import_boundaries", str(path), "--level", "county")


def test_missing_file_gets_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_boundaries", str(tmp_path / "none.geojson"), "--level", "county")
