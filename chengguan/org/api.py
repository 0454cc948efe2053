"""HTTP API for regions, grids, agencies and point location."""

from dataclasses import asdict
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from chengguan.core.errors import NotFound, gettext_noop
from chengguan.org import selectors
from chengguan.org.models import Region

router = Router(tags=["区划与网格"])


class LocateIn(Schema):
    lon: float = Field(..., ge=-180, le=180, description="WGS84 经度")
    lat: float = Field(..., ge=-90, le=90, description="WGS84 纬度")


class LocationOut(Schema):
    grid_id: str
    grid_code: str
    street_code: str
    street_name: str
    unit_code: str
    unit_name: str


class RegionOut(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    unit_code: str
    population: int | None
    households: int | None
    area_km2: float | None
    boundary_source: str


class AgencyOut(Schema):
    code: str
    name: str
    also_named: str
    kind: str
    specialty: str
    region_code: str
    parent_code: str | None
    managed_by_code: str | None


class GridsIn(Schema):
    unit: str | None = Field(None, pattern=r"^\d{6}$", description="县级单位代码")
    street: str | None = Field(None, pattern=r"^\d{9}$", description="街道代码")
    bbox: str | None = Field(None, description="minLon,minLat,maxLon,maxLat")
    limit: int = Field(10_000, ge=1, le=20_000)


@router.get("/locate", response=LocationOut, summary="坐标定位到网格、街道、县区")
def locate(request, params: Query[LocateIn]):
    found = selectors.locate(params.lon, params.lat)
    return {
        **{k: getattr(found, k) for k in LocationOut.model_fields},
        "grid_id": str(found.grid_id),
    }


class PlaceOut(Schema):
    code: str = Field(..., description="区划代码")
    name: str = Field(..., description="名称")
    label: str = Field(..., description="显示名称（县区 · 街道）")
    kind: str = Field(..., description="street 街道（乡镇）、county 县区、zone 功能区")
    lon: float = Field(..., description="落图点经度（该区划内某网格的中心）")
    lat: float = Field(..., description="落图点纬度")


class GeocodeIn(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="来电人描述的位置，如“上街区济源路街道工业路口”",
    )


@router.get(
    "/geocode",
    response=list[PlaceOut],
    summary="按地名查找位置（县区、街道）",
    description="在区划名称中查找文字提到的街道、县区，返回可落图的点，最匹配的在前（最多 5 个）。",
)
def geocode(request, params: Query[GeocodeIn]):
    return [PlaceOut(**asdict(place)) for place in selectors.geocode_text(params.q)]


@router.get("/regions/tree", summary="区划树（仅本人辖区）")
def region_tree(request):
    return selectors.region_tree(request.user)


@router.get("/regions/{code}", response=RegionOut, summary="区划详情")
def region_detail(request, code: str):
    region = (
        selectors.regions_visible(request.user).filter(code=code).select_related("parent").first()
    )
    if region is None:
        raise NotFound(gettext_noop("没有找到该区划"))
    return RegionOut(
        code=region.code,
        name=region.name,
        kind=region.kind,
        parent_code=region.parent.code if region.parent else None,
        unit_code=region.unit_code,
        population=region.population,
        households=region.households,
        area_km2=region.area_km2,
        boundary_source=region.boundary_source,
    )


@router.get("/boundaries", summary="边界 GeoJSON")
def boundaries(request, level: Literal["county", "street"] = "county"):
    kinds = ("county", "zone") if level == "county" else ("street",)
    return selectors.boundaries_geojson(request.user, kinds=kinds)


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    from chengguan.core.errors import DomainError

    try:
        minx, miny, maxx, maxy = (float(v) for v in text.split(","))
    except ValueError:
        raise DomainError(
            gettext_noop("bbox 应为四个数：最小经度,最小纬度,最大经度,最大纬度")
        ) from None
    if not (minx < maxx and miny < maxy):
        raise DomainError(gettext_noop("bbox 的最小值应小于最大值"))
    return minx, miny, maxx, maxy


@router.get("/grids", summary="网格 GeoJSON（仅本人辖区）")
def grids(request, params: Query[GridsIn]):
    return selectors.grids_geojson(
        request.user,
        unit_code=params.unit,
        street_code=params.street,
        bbox=_bbox(params.bbox),
        limit=params.limit,
    )


@router.get("/agencies", response=list[AgencyOut], summary="机构名录")
def agencies(request, region: str | None = None, kind: str | None = None):
    if region:
        get_object_or_404(Region, code=region)
    return [
        AgencyOut(
            code=a.code,
            name=a.name,
            also_named=a.also_named,
            kind=a.kind,
            specialty=a.specialty,
            region_code=a.region.code,
            parent_code=a.parent.code if a.parent else None,
            managed_by_code=a.managed_by.code if a.managed_by else None,
        )
        for a in selectors.agencies_list(region_code=region, kind=kind)
    ]
