"""Writes on territory and organisation: loading, boundary import, agencies, grid plans.

Each writer runs in one transaction with its ledger entry; loaders are idempotent so the
demo (and a city's own data) can be loaded again without duplicates.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.db import transaction

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.core.services import REVISION_GRIDS, ledger_append, revision_bump
from chengguan.core.tabular import csv_text_rows
from chengguan.org.domain.projection import LocalProjection
from chengguan.org.models import Agency, BoundarySource, Grid, Region


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _counting_upsert(model, counts: dict[str, int]):
    """Create or update rows by their `code`, counting which it was (loaders are idempotent)."""

    def upsert(code: str, **values: Any):
        obj, created = model.objects.update_or_create(code=code, defaults=values)
        counts["created" if created else "updated"] += 1
        return obj

    return upsert


# ---------------------------------------------------------------- regions


@transaction.atomic
def regions_load(*, divisions_csv: str, zones_csv: str, actor: Any = None) -> dict[str, int]:
    """Load the region tree from the statistical division codes plus the zones table.

    Streets listed under a zone in `zones_csv` hang under that zone in the management tree
    (郑东新区 has no statistical code; its streets are coded under 金水区, 管城区, 中牟县).
    """
    zones = {row["code"]: row for row in csv_text_rows(zones_csv)}
    managed_by_zone = {
        street: code for code, row in zones.items() for street in row["streets"].split()
    }
    divisions = csv_text_rows(divisions_csv)
    counts = {"created": 0, "updated": 0}

    upsert = _counting_upsert(Region, counts)

    by_code: dict[str, Region] = {}
    for row in divisions:
        if row["level"] == "city":
            by_code[row["code"]] = upsert(
                row["code"],
                name=row["name"],
                kind=Region.Kind.CITY,
                parent=None,
                unit_code="",
                stat_parent_code=row["parent_code"],
            )
    city = next(iter(by_code.values()), None)
    if city is None:
        raise DomainError(gettext_noop("区划文件中没有市级记录"))
    for row in divisions:
        if row["level"] == "county":
            zone = zones.get(row["code"])
            by_code[row["code"]] = upsert(
                row["code"],
                name=row["name"],
                parent=city,
                unit_code=row["code"],
                kind=Region.Kind.ZONE if zone else Region.Kind.COUNTY,
                short_name=zone["short_name"] if zone else "",
                host_county_code=zone["host_county_code"] if zone else "",
                stat_parent_code=row["parent_code"],
                statistical=True,
            )
    for code, zone in zones.items():
        if code not in by_code:  # a zone without a statistical code of its own
            by_code[code] = upsert(
                code,
                name=zone["name"],
                short_name=zone["short_name"],
                kind=Region.Kind.ZONE,
                parent=city,
                unit_code=code,
                statistical=zone["statistical"] == "yes",
                host_county_code=zone["host_county_code"],
                stat_parent_code=city.code,
            )
    for row in divisions:
        if row["level"] == "town":
            unit = by_code[managed_by_zone.get(row["code"], row["parent_code"])]
            by_code[row["code"]] = upsert(
                row["code"],
                name=row["name"],
                kind=Region.Kind.STREET,
                parent=unit,
                unit_code=unit.code,
                stat_parent_code=row["parent_code"],
                statistical=True,
            )
    ledger_append(
        kind="region.loaded",
        subject=city,
        actor=actor,
        data={
            **counts,
            "divisions_sha256": _digest(divisions_csv),
            "zones_sha256": _digest(zones_csv),
        },
    )
    return counts


@transaction.atomic
def populations_load(*, population_csv: str, actor: Any = None) -> dict[str, int]:
    """Put populations on the city, its county-level units and (as an even split) its streets.

    The census 2020 gives the city total and households; per-unit figures exist only as the
    2019 sample estimates, so each unit gets its 2019 share of the 2020 total. Streets have
    no published figure: they get an even share of their unit until the city imports its own.
    """
    rows = csv_text_rows(population_csv)
    city = Region.objects.get(kind=Region.Kind.CITY)

    def census(note_prefix: str, unit: str) -> float:
        for r in rows:
            if (
                r["series"] == "census2020"
                and r["adcode"] == city.code
                and r["unit"] == unit
                and r["note"].startswith(note_prefix)
            ):
                return float(r["value"])
        raise DomainError(gettext_noop("人口文件缺少普查数据：%(what)s"), what=note_prefix)

    total = census("常住人口", "persons")
    households = census("家庭户", "households") + census("集体户", "households")
    per_person = households / total
    sample = {
        r["adcode"] or r["area"]: float(r["value"]) for r in rows if r["series"] == "sample2019"
    }
    sample_total = sample.pop(city.code, None) or sample.pop("全市", None) or sum(sample.values())
    source = "2019年1%抽样各区占比 × 2020年第七次人口普查全市常住人口"
    city.population, city.households = round(total), round(households)
    city.population_source = "2020年第七次人口普查"
    city.save(update_fields=["population", "households", "population_source"])
    updated = 1
    for unit in Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE]):
        value = sample.get(unit.code) or sample.get(unit.name) or sample.get(unit.short_name)
        if value is None:
            continue
        unit.population = round(value / sample_total * total)
        unit.households = round(unit.population * per_person)
        unit.population_source = source
        unit.save(update_fields=["population", "households", "population_source"])
        streets = list(unit.children.filter(kind=Region.Kind.STREET))
        for street in streets:
            street.population = round(unit.population / len(streets))
            street.households = round(unit.households / len(streets))
            street.population_source = "所属县级单位人口平均分配（估算，待导入街道实有人口）"
        Region.objects.bulk_update(streets, ["population", "households", "population_source"])
        updated += 1 + len(streets)
    ledger_append(
        kind="region.population_loaded",
        subject=city,
        actor=actor,
        data={"regions": updated, "population_sha256": _digest(population_csv)},
    )
    return {"updated": updated}


# ---------------------------------------------------------------- geometry bookkeeping

GEOMETRY_FIELDS = ["geometry_wkb", "centroid_lon", "centroid_lat", "area_km2"]


def _put_geometry(obj: Region | Grid, geom: Any, *, area_digits: int = 3) -> None:
    """Store a lon/lat geometry with the derived values every reader needs (no DB write)."""
    point = geom.representative_point()  # inside the shape, unlike a centroid
    obj.geometry_wkb = shapely.to_wkb(geom)
    obj.centroid_lon, obj.centroid_lat = point.x, point.y
    obj.area_km2 = round(LocalProjection(point.x, point.y).area_km2(geom), area_digits)


# ---------------------------------------------------------------- boundaries


@dataclass
class BoundaryReport:
    imported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


LEVEL_KINDS = {
    "county": (Region.Kind.COUNTY, Region.Kind.ZONE),
    "street": (Region.Kind.STREET,),
}


def _feature_problem(
    feature: Any, level: str, regions: Mapping[str, Region]
) -> tuple[Region | None, Any, str | None]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, None, "不是 GeoJSON Feature"
    props = feature.get("properties") or {}
    code = str(props.get("adcode") or props.get("code") or "").strip()
    if not code:
        return None, None, "缺少区划代码（properties.adcode 或 properties.code）"
    region = regions.get(code)
    if region is None:
        return (
            None,
            None,
            f"区划代码 {code} 不是已登记的{'县级单位' if level == 'county' else '街道（乡镇）'}",
        )
    try:
        geom = shapely.from_geojson(json.dumps(feature.get("geometry")))
    except Exception as exc:  # shapely raises GEOSException with a parser message
        return region, None, f"{region.name}：几何无法解析（{exc}）"
    if geom is None or geom.is_empty:
        return region, None, f"{region.name}：几何为空"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return (
            region,
            None,
            f"{region.name}：几何类型应为 Polygon/MultiPolygon，实为 {geom.geom_type}",
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return region, None, f"{region.name}：坐标超出经纬度范围（应为 WGS84 经度、纬度）"
    if not geom.is_valid:
        return region, geom, f"{region.name}：几何无效（{shapely.is_valid_reason(geom)}）"
    return region, geom, None


@transaction.atomic
def boundaries_import(
    *, features: Iterable[Any], level: str, actor: Any = None, repair: bool = False
) -> BoundaryReport:
    """Store valid county or street boundaries; report every feature that cannot be used.

    With `repair`, an invalid polygon is fixed with shapely's make_valid and the fix is
    reported; without it the feature is skipped. Nothing half-imported: each region either
    gets its new boundary and ledger entry or keeps the old one.
    """
    if level not in LEVEL_KINDS:
        raise DomainError(gettext_noop("层级应为 county 或 street"))
    regions = {r.code: r for r in Region.objects.filter(kind__in=LEVEL_KINDS[level])}
    report = BoundaryReport()

    for index, feature in enumerate(features, start=1):
        region, geom, problem = _feature_problem(feature, level, regions)
        if problem and geom is not None and repair:
            geom = shapely.make_valid(geom)
            polygons = [
                g
                for g in getattr(geom, "geoms", [geom])
                if g.geom_type in ("Polygon", "MultiPolygon")
            ]
            geom = shapely.union_all(polygons) if polygons else None
            report.problems.append(f"第 {index} 个要素：{problem}，已自动修复")
            problem = None if geom is not None and not geom.is_empty else f"{problem}，无法修复"
        if problem:
            report.problems.append(f"第 {index} 个要素：{problem}")
            continue
        _put_geometry(region, geom)
        region.boundary_source = BoundarySource.IMPORTED
        region.save(update_fields=[*GEOMETRY_FIELDS, "boundary_source"])
        ledger_append(
            kind="region.boundary_imported",
            subject=region,
            actor=actor,
            data={
                "level": level,
                "area_km2": region.area_km2,
                "wkb_sha256": hashlib.sha256(region.geometry_wkb).hexdigest(),
            },
        )
        report.imported.append(region.code)
    return report


# ---------------------------------------------------------------- agencies


@transaction.atomic
def agencies_build(*, departments_csv: str, actor: Any = None) -> dict[str, int]:
    """Create the agency structure of seed clauses (五)(八) for every region (idempotent).

    City: 城市管理委员会 (also 城市综合执法局) and its 综合执法总队. Each county-level unit:
    城市管理局 (also 综合执法局) and its 综合执法支队. Each street: the street office, and a
    综合执法大队 led by the unit's bureau and managed day to day by that street office.
    Professional departments come from `departments_csv` at city or county level.
    """
    counts = {"created": 0, "updated": 0}

    upsert = _counting_upsert(Agency, counts)

    city = Region.objects.get(kind=Region.Kind.CITY)
    departments = csv_text_rows(departments_csv)
    commission = upsert(
        f"{city.code}-CGW",
        name=f"{city.name}城市管理委员会",
        also_named=f"{city.name}城市综合执法局",
        kind=Agency.Kind.COMMISSION,
        region=city,
        parent=None,
    )
    upsert(
        f"{city.code}-ZD",
        name=f"{city.name}城市综合执法总队",
        kind=Agency.Kind.CORPS,
        region=city,
        parent=commission,
    )
    for row in departments:
        if row["level"] == "city":
            upsert(
                f"{city.code}-{row['code_suffix']}",
                name=row["name"],
                kind=Agency.Kind.DEPARTMENT,
                specialty=row["specialty"],
                region=city,
                parent=None,
            )
    units = Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE]).order_by("code")
    for unit in units:
        label = unit.short_name or unit.name
        bureau = upsert(
            f"{unit.code}-CGJ",
            name=f"{label}城市管理局",
            also_named=f"{label}城市综合执法局",
            kind=Agency.Kind.BUREAU,
            region=unit,
            parent=None,
        )
        upsert(
            f"{unit.code}-ZD",
            name=f"{label}城市综合执法支队",
            kind=Agency.Kind.DETACHMENT,
            region=unit,
            parent=bureau,
        )
        for row in departments:
            if row["level"] == "county":
                upsert(
                    f"{unit.code}-{row['code_suffix']}",
                    name=row["name"].format(unit=label),
                    kind=Agency.Kind.DEPARTMENT,
                    specialty=row["specialty"],
                    region=unit,
                    parent=bureau
                    if row["specialty"] in ("sanitation", "municipal", "landscaping")
                    else None,
                )
        for street in unit.children.filter(kind=Region.Kind.STREET).order_by("code"):
            office_kind = (
                "乡人民政府"
                if street.name.endswith("乡")
                else ("镇人民政府" if street.name.endswith("镇") else "办事处")
            )
            office = upsert(
                f"{street.code}-JD",
                name=f"{street.name}{office_kind}",
                kind=Agency.Kind.STREET_OFFICE,
                region=street,
                parent=None,
            )
            upsert(
                f"{street.code}-DD",
                name=f"{label}城市综合执法支队{street.name}大队",
                kind=Agency.Kind.BRIGADE,
                region=street,
                parent=bureau,
                managed_by=office,
            )
    ledger_append(
        kind="agency.built",
        subject=commission,
        actor=actor,
        data={**counts, "departments_sha256": _digest(departments_csv)},
    )
    return counts


# ---------------------------------------------------------------- grids


@dataclass(frozen=True)
class PlannedGrid:
    street_code: str
    geometry: Any  # shapely geometry in lon/lat
    population: float
    households: float


@transaction.atomic
def grids_replace(
    *, unit_codes: Iterable[str], grids: list[PlannedGrid], actor: Any = None, method: str
) -> int:
    """Replace the grids of the given county-level units with a new plan, in one transaction.

    Codes are the street code plus a 4-digit serial in plan order; the ledger entry carries
    a digest of every grid's code and geometry so the plan is provable later.
    """
    unit_codes = sorted(set(unit_codes))
    streets = {s.code: s for s in Region.objects.filter(kind=Region.Kind.STREET)}
    Grid.objects.filter(region_code__in=unit_codes).delete()
    serial: dict[str, int] = {}
    rows, digest = [], hashlib.sha256()
    for planned in grids:
        street = streets[planned.street_code]
        serial[street.code] = serial.get(street.code, 0) + 1
        if serial[street.code] > 9999:
            raise DomainError(
                gettext_noop("街道 %(street)s 的网格超过 9999 个"), street=street.name
            )
        code = f"{street.code}{serial[street.code]:04d}"
        grid = Grid(
            code=code,
            street=street,
            region_code=street.unit_code,
            population=round(planned.population),
            households=round(planned.households),
        )
        _put_geometry(grid, planned.geometry, area_digits=4)
        rows.append(grid)
        digest.update(code.encode() + hashlib.sha256(grid.geometry_wkb).digest())
    Grid.objects.bulk_create(rows, batch_size=500)
    city = Region.objects.get(kind=Region.Kind.CITY)
    ledger_append(
        kind="grid.planned",
        subject=city,
        actor=actor,
        data={
            "units": unit_codes,
            "grids": len(rows),
            "method": method,
            "digest": digest.hexdigest(),
        },
    )
    revision_bump(REVISION_GRIDS)
    return len(rows)


@transaction.atomic
def street_areas_save(*, areas: Mapping[str, Any], actor: Any = None) -> None:
    """Keep the provisional street areas a plan derived (and the zones' union of them).

    Imported boundaries are never overwritten by derived ones.
    """

    def derive(region: Region, geom: Any) -> bool:
        if region.boundary_source == BoundarySource.IMPORTED:
            return False
        _put_geometry(region, geom)
        region.boundary_source = BoundarySource.DERIVED
        region.save(update_fields=[*GEOMETRY_FIELDS, "boundary_source"])
        return True

    by_unit: dict[str, list[Any]] = {}
    for street in Region.objects.filter(code__in=list(areas)):
        if derive(street, areas[street.code]):
            by_unit.setdefault(street.unit_code, []).append(areas[street.code])
    for zone in Region.objects.filter(code__in=list(by_unit), kind=Region.Kind.ZONE):
        derive(zone, shapely.union_all(by_unit[zone.code]))
    if by_unit:
        ledger_append(
            kind="region.areas_derived",
            subject_type="org.region",
            subject_id="",
            actor=actor,
            data={"streets": sorted(areas)},
        )
