"""Reads on territory and organisation, always narrowed to what the user may see."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
import shapely
from django.db.models import Count, Q, QuerySet

from chengguan.accounts.selectors import scope_of
from chengguan.core.geoindex import GridIndex
from chengguan.core.selectors import cached
from chengguan.core.services import REVISION_GRIDS
from chengguan.org.models import Agency, Grid, Region


def regions_visible(user) -> QuerySet[Region]:
    scope = scope_of(user)
    regions = Region.objects.all()
    if scope.city_wide:
        return regions
    if scope.street_code is not None:
        return regions.filter(code=scope.street_code)
    return regions.filter(Q(code=scope.unit_code) | Q(unit_code=scope.unit_code))


def grids_visible(user) -> QuerySet[Grid]:
    scope = scope_of(user)
    grids = Grid.objects.all()
    if scope.city_wide:
        return grids
    grids = grids.filter(region_code=scope.unit_code)
    if scope.street_code is not None:
        grids = grids.filter(street__code=scope.street_code)
    return grids


def region_tree(user) -> list[dict[str, Any]]:
    """The visible part of the management tree, with grid and agency counts per region."""
    regions = list(
        regions_visible(user)
        .annotate(
            grid_count=Count("grids", distinct=True), agency_count=Count("agencies", distinct=True)
        )
        .order_by("code")
    )
    nodes = {
        r.pk: {
            "code": r.code,
            "name": r.name,
            "kind": r.kind,
            "kind_label": r.get_kind_display(),
            "population": r.population,
            "households": r.households,
            "grids": r.grid_count,
            "agencies": r.agency_count,
            "boundary": r.boundary_source,
            "children": [],
        }
        for r in regions
    }
    roots = []
    for r in regions:
        parent = nodes.get(r.parent_id)
        (parent["children"] if parent else roots).append(nodes[r.pk])
    for node in nodes.values():  # a county's grids are the sum of its streets'
        if node["kind"] in ("county", "zone", "city"):
            node["grids"] = _sum_grids(node)
    return roots


def _sum_grids(node: dict[str, Any]) -> int:
    return node["grids"] + sum(_sum_grids(c) for c in node["children"])


def _rounded(geom):
    return shapely.transform(geom, lambda c: np.round(c, 6))


def feature(geometry_wkb: bytes, properties: dict[str, Any]) -> dict[str, Any]:
    import json

    geom = _rounded(shapely.from_wkb(bytes(geometry_wkb)))
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geom)),
        "properties": properties,
    }


def boundaries_geojson(user, *, kinds: tuple[str, ...]) -> dict[str, Any]:
    regions = regions_visible(user).filter(kind__in=kinds, geometry_wkb__isnull=False)
    return {
        "type": "FeatureCollection",
        "features": [
            feature(
                r.geometry_wkb,
                {
                    "code": r.code,
                    "name": r.name,
                    "kind": r.kind,
                    "boundary": r.boundary_source,
                    "population": r.population,
                },
            )
            for r in regions.order_by("code")
        ],
    }


def grids_geojson(
    user,
    *,
    unit_code: str | None = None,
    street_code: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = 10_000,
) -> dict[str, Any]:
    grids = grids_visible(user).select_related("street")
    if unit_code:
        grids = grids.filter(region_code=unit_code)
    if street_code:
        grids = grids.filter(street__code=street_code)
    if bbox:
        minx, miny, maxx, maxy = bbox
        grids = grids.filter(
            centroid_lon__gte=minx,
            centroid_lon__lte=maxx,
            centroid_lat__gte=miny,
            centroid_lat__lte=maxy,
        )
    rows = list(grids.order_by("code")[: limit + 1])
    return {
        "type": "FeatureCollection",
        "truncated": len(rows) > limit,
        "features": [
            feature(
                g.geometry_wkb,
                {
                    "code": g.code,
                    "street": g.street.name,
                    "population": g.population,
                    "households": g.households,
                    "area_km2": g.area_km2,
                },
            )
            for g in rows[:limit]
        ],
    }


@dataclass(frozen=True, slots=True)
class Location:
    """Where a point lies: its grid, street and county-level unit."""

    grid_id: UUID
    grid_code: str
    street_code: str
    street_name: str
    unit_code: str
    unit_name: str


def _build_index(revision: int) -> GridIndex[Location]:
    names = dict(Region.objects.values_list("code", "name"))
    entries = []
    for grid_id, code, street_code, unit_code, wkb in Grid.objects.values_list(
        "id", "code", "street__code", "region_code", "geometry_wkb"
    ).iterator(chunk_size=5000):
        location = Location(
            grid_id,
            code,
            street_code,
            names.get(street_code, ""),
            unit_code,
            names.get(unit_code, ""),
        )
        entries.append((location, shapely.from_wkb(bytes(wkb))))
    return GridIndex(entries, version=revision)


def grid_index(*, fresh: bool = False) -> GridIndex[Location]:
    """The in-memory locator, rebuilt when the grids' revision moves."""
    return cached(REVISION_GRIDS, _build_index, fresh=fresh)


def locate(lon: float, lat: float) -> Location:
    """Grid, street and county of a WGS84 point; raises OutsideCoverage outside the grids."""
    return grid_index().locate(lon, lat)


def agencies_list(*, region_code: str | None = None, kind: str | None = None) -> QuerySet[Agency]:
    agencies = Agency.objects.select_related("region", "parent", "managed_by").filter(active=True)
    if region_code:
        agencies = agencies.filter(Q(region__code=region_code) | Q(region__unit_code=region_code))
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies.order_by("code")


@dataclass(frozen=True, slots=True)
class Place:
    """A named place a caller mentioned, with a point to put the map pin on."""

    code: str
    name: str
    label: str
    kind: str
    lon: float
    lat: float


PLACE_SUFFIXES = ("街道办事处", "街道", "办事处", "管委会", "镇", "乡", "区", "县", "市")


def _name_variants(region: Region) -> set[str]:
    names = {region.name, region.short_name} - {""}
    for name in list(names):
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                names.add(name[: -len(suffix)])
    return names


def _pin(region: Region) -> tuple[float, float] | None:
    """A point inside the region's grids: the grid centroid nearest the region's middle."""
    grids = Grid.objects.filter(
        Q(street__code=region.code)
        if region.kind == Region.Kind.STREET
        else Q(region_code=region.code)
    ).values_list("centroid_lon", "centroid_lat")
    points = [(x, y) for x, y in grids if x is not None and y is not None]
    if not points:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    return min(points, key=lambda p: (p[0] - mx) ** 2 + (p[1] - my) ** 2)


def geocode_text(text: str, *, limit: int = 5) -> list[Place]:
    """Places named in free text ("上街区济源路街道工业路口"), best first: streets before
    districts, longer names before shorter, a street inside a district also named first.
    Only places with grids are returned, since a case needs a grid. Road-level addresses
    need a gazetteer the reference data does not have; the operator refines the pin."""
    text = "".join((text or "").split())
    if len(text) < 2:
        return []
    regions = list(
        Region.objects.filter(kind__in=[Region.Kind.STREET, Region.Kind.COUNTY, Region.Kind.ZONE])
    )
    names = {r.code: r.name for r in regions}
    mentioned = {
        r.code: max((len(v) for v in _name_variants(r) if v in text), default=0) for r in regions
    }
    scored = []
    for region in regions:
        length = mentioned[region.code]
        if not length and not (len(text) >= 2 and text in region.name):
            continue
        street = region.kind == Region.Kind.STREET
        in_named_unit = street and mentioned.get(region.unit_code, 0) > 0
        scored.append(((street, in_named_unit, length or len(text)), region))
    scored.sort(key=lambda item: item[0], reverse=True)
    places = []
    for _score, region in scored:
        pin = _pin(region)
        if pin is None:
            continue
        unit_name = names.get(region.unit_code, "") if region.kind == Region.Kind.STREET else ""
        places.append(
            Place(
                code=region.code,
                name=region.name,
                label=f"{unit_name} · {region.name}" if unit_name else region.name,
                kind=region.kind,
                lon=pin[0],
                lat=pin[1],
            )
        )
        if len(places) == limit:
            break
    return places
