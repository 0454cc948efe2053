"""Plan the unit grids of the city (service): choose planning areas, build the population
surface, split areas into streets where needed and streets into grids, then save.

Planning areas, in order of preference for each street:
1. its own imported boundary;
2. otherwise the imported boundary of its county-level unit, of its statistical county
   (郑东新区's streets lie in 金水区, 管城区, 中牟县) or of the county hosting its zone
   (`Region.host_county_code`), shared with the other streets planned there; the planner
   then derives provisional street areas first, in proportion to street populations.
A street with none of these is reported and left without grids.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction

from chengguan.org.domain.planner import (
    Part,
    Surface,
    grid_count,
    out_of_tolerance,
    partition,
    partition_core_ring,
    polygonal,
)
from chengguan.org.domain.projection import LocalProjection
from chengguan.org.domain.surface import Centre, synthetic_surface
from chengguan.org.models import BoundarySource, Region
from chengguan.org.services import PlannedGrid, grids_replace, street_areas_save

# 二七纪念塔, the traditional centre of Zhengzhou: the synthetic surface is densest here.
DEFAULT_CITY_CENTRE = (113.6656, 34.7536)
PEOPLE_PER_SYNTHETIC_POINT = 100


@dataclass
class PlanReport:
    grids: int = 0
    streets: int = 0
    derived_streets: int = 0
    by_unit: dict[str, int] = field(default_factory=dict)
    deviations: list[str] = field(default_factory=list)
    unplanned: list[str] = field(default_factory=list)


@dataclass
class _Area:
    geometry: object  # lon/lat
    streets: list[Region]
    derive_streets: bool


def _planning_areas(units: list[Region]) -> tuple[list[_Area], list[Region]]:
    everything = {r.code: r for r in Region.objects.exclude(kind=Region.Kind.STREET)}
    unit_codes = {u.code for u in units}
    streets = Region.objects.filter(kind=Region.Kind.STREET, unit_code__in=unit_codes).order_by(
        "unit_code", "code"
    )
    own: list[_Area] = []
    shared: dict[str, list[Region]] = defaultdict(list)
    unplanned: list[Region] = []
    for street in streets:
        if street.boundary_source == BoundarySource.IMPORTED:
            own.append(_Area(street.geometry, [street], derive_streets=False))
            continue
        unit = everything[street.unit_code]
        for candidate in (unit.code, street.stat_parent_code, unit.host_county_code):
            region = everything.get(candidate)
            if region is not None and region.boundary_source == BoundarySource.IMPORTED:
                shared[region.code].append(street)
                break
        else:
            unplanned.append(street)
    imported_streets = [a.geometry for a in own]
    areas = list(own)
    for county_code, members in sorted(shared.items()):
        geometry = everything[county_code].geometry
        if imported_streets:
            geometry = shapely.difference(geometry, shapely.union_all(imported_streets))
        areas.append(_Area(geometry, members, derive_streets=True))
    return areas, unplanned


def synthetic_surfaces(seed: int) -> Callable[[_Area, LocalProjection, object], Surface]:
    """The demo's population surface: each area's known population, denser at its centres."""
    rng = np.random.default_rng(seed)
    centre_lon, centre_lat = settings.CHENGGUAN.get("CITY_CENTRE", DEFAULT_CITY_CENTRE)

    def build(area: _Area, projection: LocalProjection, area_m) -> Surface:
        population = sum(s.population or 0 for s in area.streets)
        households = sum(s.households or 0 for s in area.streets)
        size = float(np.sqrt(area_m.area))
        inner = area_m.representative_point()
        centres = [Centre(inner.x, inner.y, weight=1.0, sigma=size / 5)]
        cx, cy = projection.to_metres(np.array([centre_lon]), np.array([centre_lat]))
        city_point = shapely.Point(float(cx[0]), float(cy[0]))
        if area_m.distance(city_point) < 15_000:
            centres.append(Centre(city_point.x, city_point.y, weight=2.0, sigma=6_000))
        points = max(200, int(population / PEOPLE_PER_SYNTHETIC_POINT))
        return synthetic_surface(
            area_m,
            population=population,
            households=households,
            centres=centres,
            points=points,
            rng=rng,
        )

    return build


def imported_surface(surface_lonlat: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]):
    """A city's own household points or census blocks (lon, lat, population, households)."""
    lon, lat, population, households = surface_lonlat

    def build(area: _Area, projection: LocalProjection, area_m) -> Surface:
        x, y = projection.to_metres(lon, lat)
        return Surface(x, y, population, households).within(area_m)

    return build


def _is_town(street: Region) -> bool:
    """镇 and 乡 are rural towns; 街道 (and 办事处) are urban."""
    return street.name.endswith(("镇", "乡"))


def _density_centre(area_m, people: Surface, city_centre) -> tuple[float, float]:
    """Where the people of an area concentrate: the city centre if it lies inside the area,
    otherwise the population-weighted median of the surface."""
    if area_m.contains(city_centre):
        return city_centre.x, city_centre.y
    if len(people) == 0 or people.total_population <= 0:
        point = area_m.representative_point()
        return point.x, point.y

    def weighted_median(values):
        order = np.argsort(values, kind="stable")
        cumulative = np.cumsum(people.population[order])
        return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])

    return weighted_median(people.x), weighted_median(people.y)


def _derive_street_parts(
    streets: list[Region], area_m, people: Surface, projection: LocalProjection
) -> list[tuple[Region, Part]]:
    """Provisional street areas inside a shared planning area.

    Each county-level unit gets a contiguous piece in proportion to its people; inside it,
    urban 街道 share the dense core and the towns (镇/乡) the surrounding ring, so the city
    centre falls in a 街道, not in a rural town.
    """
    units: dict[str, list[Region]] = {}
    for street in streets:
        units.setdefault(street.unit_code, []).append(street)
    unit_shares = [max(sum(s.population or 0 for s in members), 1) for members in units.values()]
    unit_parts = partition(area_m, people, unit_shares)
    lon, lat = settings.CHENGGUAN.get("CITY_CENTRE", DEFAULT_CITY_CENTRE)
    cx, cy = projection.to_metres(np.array([lon]), np.array([lat]))
    city_centre = shapely.Point(float(cx[0]), float(cy[0]))
    result: list[tuple[Region, Part]] = []
    for members, unit_part in zip(units.values(), unit_parts, strict=True):
        urban = [s for s in members if not _is_town(s)]
        towns = [s for s in members if _is_town(s)]
        inside = people.within(unit_part.geometry)
        parts = partition_core_ring(
            unit_part.geometry,
            inside,
            centre=_density_centre(unit_part.geometry, inside, city_centre),
            core_shares=[max(s.population or 0, 1) for s in urban],
            ring_shares=[max(s.population or 0, 1) for s in towns],
        )
        result.extend(zip([*urban, *towns], parts, strict=True))
    return result


@transaction.atomic
def grids_plan(
    *,
    units: list[Region] | None = None,
    surface: Callable | None = None,
    seed: int = 2017,
    tolerance: float | None = None,
    actor=None,
    method: str = "synthetic",
) -> PlanReport:
    """Plan and save the grids of `units` (default: every county-level unit)."""
    conf = settings.CHENGGUAN
    target_pop, target_hh = conf["GRID_TARGET_POPULATION"], conf["GRID_TARGET_HOUSEHOLDS"]
    tolerance = conf["GRID_TOLERANCE"] if tolerance is None else tolerance
    units = units or list(Region.objects.filter(kind__in=[Region.Kind.COUNTY, Region.Kind.ZONE]))
    surface = surface or synthetic_surfaces(seed)
    areas, unplanned = _planning_areas(units)
    report = PlanReport(unplanned=[f"{s.name}（{s.code}）" for s in unplanned])
    planned: list[PlannedGrid] = []
    derived: dict[str, object] = {}
    for area in areas:
        point = area.geometry.representative_point()
        projection = LocalProjection(point.x, point.y)
        area_m = projection.geometry_to_metres(area.geometry)
        people = surface(area, projection, area_m)
        if area.derive_streets:
            street_parts = _derive_street_parts(area.streets, area_m, people, projection)
        else:
            whole = Part(area_m, people.total_population, people.total_households)
            street_parts = [(area.streets[0], whole)]
        for street, street_part in street_parts:
            if area.derive_streets:
                derived[street.code] = polygonal(
                    projection.geometry_to_degrees(street_part.geometry)
                )
            k = grid_count(
                population=street_part.population,
                households=street_part.households,
                target_population=target_pop,
                target_households=target_hh,
            )
            grids = partition(street_part.geometry, people.within(street_part.geometry), [1.0] * k)
            for deviation in out_of_tolerance(
                grids,
                target_population=target_pop,
                target_households=target_hh,
                tolerance=tolerance,
            ):
                report.deviations.append(
                    f"{street.code}{deviation.index + 1:04d}（{street.name}）："
                    f"{deviation.population:.0f} 人（{deviation.population_ratio:.0%}），"
                    f"{deviation.households:.0f} 户（{deviation.households_ratio:.0%}）"
                )
            for grid in grids:
                if grid.geometry.is_empty:
                    continue
                planned.append(
                    PlannedGrid(
                        street.code,
                        polygonal(projection.geometry_to_degrees(grid.geometry)),
                        grid.population,
                        grid.households,
                    )
                )
            report.by_unit[street.unit_code] = report.by_unit.get(street.unit_code, 0) + len(grids)
            report.streets += 1
    if derived:
        street_areas_save(areas=derived, actor=actor)
    report.derived_streets = len(derived)
    report.grids = grids_replace(
        unit_codes=[u.code for u in units], grids=planned, actor=actor, method=method
    )
    return report
