"""Grid planning: cut an area into parts that hold given shares of its people.

Method: recursive coordinate bisection over a population surface (points carrying people
and households). An area that must become k parts is cut across its longer side at the
weighted quantile that leaves the left half its share, and each half is cut again until
every part is one grid (or one street). Parts come out compact, they tile the area exactly
(every cut is a straight line through it), and each part's population matches its share up
to the granularity of the surface points. The same routine splits a county into provisional
street areas when no street boundaries exist, and a street into unit grids.

Coordinates are metres (see `projection`); callers project in and out.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Surface:
    """Population surface: point coordinates (metres) with people and households at each."""

    x: np.ndarray
    y: np.ndarray
    population: np.ndarray
    households: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.x)
        if not (len(self.y) == len(self.population) == len(self.households) == n):
            raise ValueError("surface arrays must have the same length")

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, mask: np.ndarray) -> "Surface":
        return Surface(self.x[mask], self.y[mask], self.population[mask], self.households[mask])

    def within(self, area: BaseGeometry) -> "Surface":
        if len(self) == 0:
            return self
        return self.subset(shapely.contains_xy(area, self.x, self.y))

    @property
    def total_population(self) -> float:
        return float(self.population.sum())

    @property
    def total_households(self) -> float:
        return float(self.households.sum())


@dataclass(frozen=True)
class Part:
    geometry: BaseGeometry
    population: float
    households: float


def grid_count(
    *, population: float, households: float, target_population: int, target_households: int
) -> int:
    """How many grids an area needs so each holds about one target (the larger measure wins)."""
    need = max(population / target_population, households / target_households)
    return max(1, round(need))


def _clip(area: BaseGeometry, bounds: tuple[float, float, float, float]) -> BaseGeometry:
    return _clip_to(area, box(*bounds))


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """A valid (Multi)Polygon: drop the lines and points an overlay can leave, and repair the
    rare self-touching ring that floating point produces after cutting and reprojecting."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polygons = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polygons) if polygons else shapely.Polygon()
    return geom


def _clip_to(area: BaseGeometry, shape: BaseGeometry) -> BaseGeometry:
    """The areal part of area ∩ shape."""
    return polygonal(shapely.intersection(area, polygonal(shape)))


def _cut_position(
    values: np.ndarray, weights: np.ndarray, share: float, lo: float, hi: float
) -> float:
    """Where to cut so that `share` of the weight lies below the cut."""
    if len(values) == 0 or weights.sum() <= 0:
        return lo + (hi - lo) * share
    order = np.argsort(values, kind="stable")
    v, cum = values[order], np.cumsum(weights[order])
    target = share * cum[-1]
    i = int(np.searchsorted(cum, target))
    i = min(i, len(v) - 1)
    if i + 1 < len(v):  # cut between two points, never through one
        return float((v[i] + v[i + 1]) / 2)
    return float(v[i] + (hi - v[i]) / 2)


def partition(area: BaseGeometry, surface: Surface, shares: Sequence[float]) -> list[Part]:
    """Split `area` into len(shares) parts whose populations follow `shares`, in order.

    Parts listed next to each other end up next to each other on the ground (they are cut
    from the same halves), so e.g. the streets of one zone stay together.
    """
    if not shares:
        return []
    if any(s <= 0 for s in shares):
        raise ValueError("every share must be positive")
    inside = surface.within(area)
    parts: list[Part] = []
    _bisect(area, inside, list(shares), parts)
    return parts


def _bisect(area: BaseGeometry, surface: Surface, shares: list[float], out: list[Part]) -> None:
    if len(shares) == 1:
        out.append(Part(area, surface.total_population, surface.total_households))
        return
    half = len(shares) // 2
    left_share = sum(shares[:half]) / sum(shares)
    minx, miny, maxx, maxy = area.bounds
    # Cut across the longer side of the people (or of the land, if nobody lives here).
    if len(surface) >= 2:
        wide = np.ptp(surface.x) >= np.ptp(surface.y)
    else:
        wide = (maxx - minx) >= (maxy - miny)
    weights = surface.population if surface.total_population > 0 else np.ones(len(surface))
    if wide:
        cut = _cut_position(surface.x, weights, left_share, minx, maxx)
        lower = (minx - 1, miny - 1, cut, maxy + 1)
        upper = (cut, miny - 1, maxx + 1, maxy + 1)
        below = surface.x < cut
    else:
        cut = _cut_position(surface.y, weights, left_share, miny, maxy)
        lower = (minx - 1, miny - 1, maxx + 1, cut)
        upper = (minx - 1, cut, maxx + 1, maxy + 1)
        below = surface.y < cut
    _bisect(_clip(area, lower), surface.subset(below), shares[:half], out)
    _bisect(_clip(area, upper), surface.subset(~below), shares[half:], out)


@dataclass(frozen=True)
class Deviation:
    index: int
    population: float
    households: float
    population_ratio: float
    households_ratio: float


def out_of_tolerance(
    parts: Sequence[Part], *, target_population: int, target_households: int, tolerance: float
) -> list[Deviation]:
    """Grids whose people or households differ from the target by more than `tolerance`."""
    found = []
    for i, part in enumerate(parts):
        pr = part.population / target_population
        hr = part.households / target_households
        if abs(pr - 1) > tolerance or abs(hr - 1) > tolerance:
            found.append(Deviation(i, part.population, part.households, pr, hr))
    return found


def _wedge(cx: float, cy: float, a0: float, a1: float, radius: float) -> BaseGeometry:
    """A pie slice from angle a0 to a1 (radians, a1 > a0) reaching beyond `radius`."""
    steps = max(2, int((a1 - a0) / (np.pi / 90)) + 1)
    angles = np.linspace(a0, a1, steps)
    ring = [(cx, cy)] + [(cx + radius * np.cos(a), cy + radius * np.sin(a)) for a in angles]
    return shapely.Polygon(ring)


def partition_core_ring(
    area: BaseGeometry,
    surface: Surface,
    *,
    centre: tuple[float, float],
    core_shares: Sequence[float],
    ring_shares: Sequence[float],
) -> list[Part]:
    """Split `area` so the core parts lie around `centre` and the ring parts surround them.

    Used when no street boundaries exist: urban 街道 take the dense core (a disc holding
    their share of the people, cut by `partition`), towns (镇/乡) take pie slices of the rest
    by population. Returns the core parts, then the ring parts, in the given orders.
    """
    if not core_shares or not ring_shares:
        return partition(area, surface, [*core_shares, *ring_shares])
    inside = surface.within(area)
    cx, cy = centre
    distance = np.hypot(inside.x - cx, inside.y - cy)
    core_share = sum(core_shares) / (sum(core_shares) + sum(ring_shares))
    order = np.argsort(distance, kind="stable")
    cumulative = np.cumsum(inside.population[order])
    if len(order) == 0 or cumulative[-1] <= 0:
        return partition(area, surface, [*core_shares, *ring_shares])
    k = min(int(np.searchsorted(cumulative, core_share * cumulative[-1])), len(order) - 1)
    radius = float(distance[order[k]])
    core = _clip_to(area, shapely.Point(cx, cy).buffer(radius, quad_segs=32))
    ring = shapely.difference(area, core)
    parts = partition(core, inside, core_shares)
    in_ring = inside.subset(~shapely.contains_xy(core, inside.x, inside.y))
    minx, miny, maxx, maxy = area.bounds
    reach = 2 * float(np.hypot(maxx - minx, maxy - miny)) + radius
    angles = np.arctan2(in_ring.y - cy, in_ring.x - cx)
    weights = in_ring.population
    cuts = [-np.pi]
    total = sum(ring_shares)
    if len(angles) and weights.sum() > 0:
        by_angle = np.argsort(angles, kind="stable")
        cum = np.cumsum(weights[by_angle])
        for share in np.cumsum(ring_shares[:-1]) / total:
            j = min(int(np.searchsorted(cum, share * cum[-1])), len(by_angle) - 1)
            cuts.append(float(angles[by_angle[j]]))
    else:
        cuts += [-np.pi + 2 * np.pi * s for s in np.cumsum(ring_shares[:-1]) / total]
    cuts.append(np.pi)
    for a0, a1 in itertools.pairwise(cuts):
        slice_ = ring if len(ring_shares) == 1 else _clip_to(ring, _wedge(cx, cy, a0, a1, reach))
        people = in_ring.within(slice_)
        parts.append(Part(slice_, people.total_population, people.total_households))
    return parts
