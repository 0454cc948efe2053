"""Point → grid lookup in memory: which unit grid (单元网格) contains a reported position.

Pure module (shapely + numpy + stdlib, no Django), built once from the grids' polygons and
then asked millions of times. The answer is exact: a point inside a grid always gets that
grid, a point in no grid gets "outside", a point exactly on a border gets one of the grids
whose closed polygon contains it (a point on the city's outer border gets its grid).

How it works
------------
The grids' bounding box is cut into a uniform *coarse* raster (about two cells per grid).
Every cell is classified at build time, fully vectorised in numpy:

* *boundary* cells: some polygon edge passes within a tiny margin of the cell (found by
  rasterising every edge; the margin absorbs every rounding error of the cell arithmetic,
  so the classification is conservative);
* every other cell lies entirely inside one grid or entirely outside all; which one is
  read off a scanline fill (even-odd crossings of each polygon with each row's centre line,
  so concave grids, holes and multipolygons need no special case).

Each boundary coarse cell gets a sub-raster of m × m cells (m a power of two, m² in
proportion to how many grids meet there, about 48 sub-cells per grid in all, at most 4M),
classified the same way. A leaf cell then stores its grid, "outside", a *split* (exactly one
border segment crosses the cell: which grid lies left and right of it) or a short list of
candidate grids, the one covering the cell's centre first.

Single lookups (`locate`, `locate_index`) do the cell arithmetic in plain Python on
`array.array` tables; a split costs one orientation test, a candidate list an exact
point-in-polygon test per candidate (pure Python crossing number over all rings for grids
with few vertices, shapely's prepared `intersects_xy` for the others). Orientation tests use
Shewchuk's error bound with an exact `Fraction` fallback, so they are exact. Bulk lookups
(`locate_many`) do the same in numpy: splits vectorised, candidate lists in rounds of one
`shapely.intersects_xy` call each. Both paths return the same grid for every point, borders
included. (One caveat, irrelevant for lon/lat data: GEOS, hence the bulk path's candidate
tests, can misjudge points within ~1e-154 of a vertex near coordinate 0, where products
underflow; the pure-Python tests stay exact there too.)
"""

from __future__ import annotations

import array
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from chengguan.core.errors import DomainError, gettext_noop

__all__ = ["GridIndex", "GridIndexStats", "OutsideCoverage"]

#: Coarse raster: about this many cells per grid, within [_MIN_COARSE, _MAX_COARSE].
_COARSE_PER_GRID = 2.0
_MIN_COARSE = 256
_MAX_COARSE = 1 << 21
#: Boundary coarse cells get m × m sub-cells (m a power of two, at most _MAX_M), m² in
#: proportion to how crowded the cell is, about _FINE_PER_GRID sub-cells per grid in all,
#: at most _MAX_FINE.
_FINE_PER_GRID = 48
_MAX_M = 64
_MAX_FINE = 4_000_000
_MIN_FINE = 1 << 16  # small cities may use this many anyway
#: Sub-rasters are classified in chunks of about this many (block, edge) rows (memory).
_CHUNK_ROWS = 250_000
#: Single lookups test grids with at most this many vertices in Python, others with shapely.
_PY_MAX_VERTICES = 40

# Shewchuk's error bound for the orientation determinant evaluated in doubles; it holds
# while the products do not underflow (both smaller than _TINY: decided exactly).
_ORIENT_ERR = (3.0 + 16.0 * 2.0**-53) * 2.0**-53
_TINY = 2.0**-960


class OutsideCoverage(DomainError):
    """The position is in no grid of the city (or is not a valid coordinate at all)."""

    def __init__(self, lon: float, lat: float) -> None:
        self.lon = lon
        self.lat = lat
        if _finite(lon) and _finite(lat):
            super().__init__(
                gettext_noop("该位置（%(lon).6f, %(lat).6f）不在本市网格范围内"),
                lon=float(lon),
                lat=float(lat),
            )
        else:
            super().__init__(
                gettext_noop("坐标无效（经度 %(lon)s，纬度 %(lat)s），无法确定所在网格"),
                lon=str(lon),
                lat=str(lat),
            )


def _finite(value: object) -> bool:
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True, slots=True)
class GridIndexStats:
    """What the index looks like (for benchmarks and health checks)."""

    grids: int
    vertices: int
    coarse_cells: int
    #: Coarse cells that have a sub-raster...
    refined_cells: int
    #: ...and the cells of all sub-rasters.
    fine_cells: int
    #: Share of the covered raster area in cells that need a point-in-polygon test...
    ambiguous_share: float
    #: ...and in cells split by one border segment (one orientation test).
    split_share: float
    #: Mean number of candidate grids in the cells that need a point-in-polygon test.
    candidates_per_ambiguous: float
    #: Size of the lookup tables and vertex arrays, in bytes.
    table_bytes: int
    build_seconds: float


class GridIndex[T]:
    """Exact point → grid locator over (payload, polygon) entries.

    Entries are normally a partition of the city (no overlaps; gaps and an irregular outer
    boundary are fine). Overlapping entries are still handled exactly (any grid that
    contains the point may be returned), they only make lookups slower.

    Build once (one to two seconds for 70,000 grids), then share: the index is immutable
    and safe to use from many threads. The geometries are prepared in place
    (`shapely.prepare`). `locate_index(lon, lat) -> int` is an instance attribute (a
    closure over the tables: no attribute look-ups on the hot path) giving the index into
    `payloads` of the grid containing the point, or -1 (also for NaN and infinities).
    """

    locate_index: Callable[[float, float], int]

    def __init__(self, entries: Sequence[tuple[T, BaseGeometry]], *, version: int = 0) -> None:
        started = time.perf_counter()
        entries = list(entries)
        self.version = version
        self.payloads: tuple[T, ...] = tuple(payload for payload, _ in entries)
        geoms = np.empty(len(entries), dtype=object)
        geoms[:] = [geom for _, geom in entries]
        _validate(geoms)
        self._geoms = geoms
        built = _build(geoms)
        self._built = built
        i32 = np.int32
        self._np = (
            np.frombuffer(built.top, dtype=i32),
            np.frombuffer(built.blocks, dtype=i32),
            np.frombuffer(built.fine, dtype=i32),
            np.frombuffer(built.cand_start, dtype=i32),
            np.frombuffer(built.cand, dtype=i32),
            np.frombuffer(built.seg_xy, dtype=np.float64).reshape(-1, 4),
            np.frombuffer(built.seg_left, dtype=i32),
            np.frombuffer(built.seg_right, dtype=i32),
        )
        self.locate_index = self._make_locate_index(built)
        self.stats = GridIndexStats(
            grids=len(geoms),
            vertices=built.vertices,
            coarse_cells=len(built.top),
            refined_cells=built.refined,
            fine_cells=len(built.fine),
            ambiguous_share=built.ambiguous_share,
            split_share=built.split_share,
            candidates_per_ambiguous=built.candidates_per_ambiguous,
            table_bytes=built.table_bytes,
            build_seconds=time.perf_counter() - started,
        )

    def __len__(self) -> int:
        return len(self.payloads)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of all grids."""
        return self._built.bounds

    def locate(self, lon: float, lat: float) -> T:
        """The payload of the grid containing (lon, lat); raises OutsideCoverage if none."""
        index = self.locate_index(lon, lat)
        if index < 0:
            raise OutsideCoverage(lon, lat)
        return self.payloads[index]

    def locate_many(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Vectorised `locate_index`: int32 indexes into `payloads`, -1 where outside.

        `lons` and `lats` must have the same shape; the result has that shape too.
        """
        xs = np.asarray(lons, dtype=np.float64)
        ys = np.asarray(lats, dtype=np.float64)
        if xs.shape != ys.shape:
            raise ValueError(f"lons and lats differ in shape: {xs.shape} != {ys.shape}")
        shape = xs.shape
        xs = xs.ravel()
        ys = ys.ravel()
        out = np.full(xs.shape, -1, dtype=np.int32)
        if not len(self.payloads) or not xs.size:
            return out.reshape(shape)
        top, blocks, fine, cand_start, cand, seg_xy, seg_left, seg_right = self._np
        b = self._built
        x0, y0, x1, y1 = b.bounds
        inside = np.flatnonzero((xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))
        px = xs[inside]
        py = ys[inside]
        u = (px - x0) * b.sx
        v = (py - y0) * b.sy
        i = u.astype(np.int64)
        j = v.astype(np.int64)
        found = top[j * b.width + i]
        sub = np.flatnonzero(found < -1)
        if sub.size:
            info = blocks[-2 - found[sub]].astype(np.int64)
            m = 1 << (info & 7)
            fu = ((u[sub] - i[sub]) * m).astype(np.int64)
            fv = ((v[sub] - j[sub]) * m).astype(np.int64)
            found[sub] = fine[(info >> 3) + fv * m + fu]
            amb = sub[found[sub] < -1]
            code = -2 - found[amb].astype(np.int64)
            split = code < b.n_segs
            if split.any():
                at = amb[split]
                found[at] = _split_side(seg_xy, seg_left, seg_right, code[split], px[at], py[at])
            at = amb[~split]
            if at.size:
                lists = code[~split] - b.n_segs
                found[at] = -1
                first = cand_start[lists].astype(np.int64)
                end = cand_start[lists + 1].astype(np.int64)
                ax = px[at]
                ay = py[at]
                pending = np.arange(at.size)
                geoms = self._geoms
                while pending.size:
                    grid = cand[first]
                    hit = shapely.intersects_xy(geoms[grid], ax[pending], ay[pending])
                    found[at[pending[hit]]] = grid[hit]
                    miss = ~hit
                    pending = pending[miss]
                    first = first[miss] + 1
                    more = first < end[pending]
                    pending = pending[more]
                    first = first[more]
        out[inside] = found
        return out.reshape(shape)

    def _make_locate_index(self, built: _Built) -> Callable[[float, float], int]:
        x0, y0, x1, y1 = built.bounds
        sx = built.sx
        sy = built.sy
        width = built.width
        top = built.top
        blocks = built.blocks
        fine = built.fine
        n_segs = built.n_segs
        seg_xy = built.seg_xy
        seg_left = built.seg_left
        seg_right = built.seg_right
        cand_start = built.cand_start
        cand = built.cand
        xs = built.xs
        ys = built.ys
        ring_start = built.ring_start
        grid_ring = built.grid_ring
        simple = built.simple
        geoms = self._geoms
        intersects_xy = shapely.intersects_xy
        covers = _covers
        orient_exact = _orient_exact
        err = _ORIENT_ERR
        tiny = _TINY

        def locate_index(lon: float, lat: float) -> int:
            lon = float(lon)  # a numpy float32 would do the cell arithmetic in single precision
            lat = float(lat)
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                u = (lon - x0) * sx
                v = (lat - y0) * sy
                i = int(u)
                j = int(v)
                found = top[j * width + i]
                if found < -1:
                    info = blocks[-2 - found]
                    m = 1 << (info & 7)
                    found = fine[(info >> 3) + int((v - j) * m) * m + int((u - i) * m)]
                    if found < -1:
                        code = -2 - found
                        if code < n_segs:  # one border segment splits the cell
                            k = 4 * code
                            ax = seg_xy[k]
                            ay = seg_xy[k + 1]
                            bx = seg_xy[k + 2]
                            by = seg_xy[k + 3]
                            left = (ax - lon) * (by - lat)
                            right = (ay - lat) * (bx - lon)
                            det = left - right
                            size = abs(left) + abs(right)
                            if abs(det) <= err * size or size < tiny:
                                det = orient_exact(ax, ay, bx, by, lon, lat)
                            if det > 0:
                                return seg_left[code]
                            if det < 0:
                                return seg_right[code]
                            found = seg_left[code]
                            return found if found >= 0 else seg_right[code]
                        code -= n_segs
                        for k in range(cand_start[code], cand_start[code + 1]):
                            grid = cand[k]
                            if simple[grid]:
                                first = grid_ring[grid]
                                end = grid_ring[grid + 1]
                                if covers(xs, ys, ring_start, first, end, lon, lat):
                                    return grid
                            elif intersects_xy(geoms[grid], lon, lat):
                                return grid
                        return -1
                return found
            return -1

        return locate_index


# -- exact geometric predicates (pure Python) ------------------------------------------


def _orient_exact(ax: float, ay: float, bx: float, by: float, px: float, py: float) -> Fraction:
    """(a - p) × (b - p) in exact arithmetic: > 0 if p lies left of a → b."""
    fx = Fraction(px)
    fy = Fraction(py)
    return (Fraction(ax) - fx) * (Fraction(by) - fy) - (Fraction(ay) - fy) * (Fraction(bx) - fx)


def _covers(
    xs: array.array,
    ys: array.array,
    ring_start: array.array,
    first_ring: int,
    end_ring: int,
    px: float,
    py: float,
) -> bool:
    """Whether the closed polygon made of rings first_ring:end_ring holds (px, py). Exact.

    Crossing number with a horizontal ray to +x and the half-open rule (as GEOS's
    RayCrossingCounter) over all rings (even-odd: holes and multipolygons need nothing
    else); orientations by Shewchuk's filter with an exact fallback. A point on an edge
    counts as inside; the boundary cases the crossing loop cannot see (on a horizontal
    edge, on a vertex whose two edges go down) are checked at the end, only when some vertex
    has the point's latitude. Rings are closed (last vertex = first).
    """
    inside = False
    for r in range(first_ring, end_ring):
        a = ring_start[r]
        y1 = ys[a]
        b1 = y1 > py
        for k in range(a + 1, ring_start[r + 1]):
            y2 = ys[k]
            b2 = y2 > py
            if b1 is not b2:
                x1 = xs[k - 1]
                x2 = xs[k]
                if x1 >= px or x2 >= px:
                    left = (x1 - px) * (y2 - py)
                    right = (y1 - py) * (x2 - px)
                    det = left - right
                    size = abs(left) + abs(right)
                    if abs(det) <= _ORIENT_ERR * size or size < _TINY:
                        det = _orient_exact(x1, y1, x2, y2, px, py)
                        if det == 0:
                            return True
                    if (det > 0) is b2:
                        inside = not inside
            y1 = y2
            b1 = b2
    if inside:
        return True
    for r in range(first_ring, end_ring):
        a = ring_start[r]
        b = ring_start[r + 1]
        if py in ys[a:b]:
            for k in range(a + 1, b):
                if ys[k] == py:
                    x2 = xs[k]
                    if x2 == px:
                        return True
                    x1 = xs[k - 1]
                    if ys[k - 1] == py and (x1 <= px <= x2 or x2 <= px <= x1):
                        return True
    return False


def _split_side(
    seg_xy: np.ndarray,
    seg_left: np.ndarray,
    seg_right: np.ndarray,
    seg: np.ndarray,
    px: np.ndarray,
    py: np.ndarray,
) -> np.ndarray:
    """The grid on the points' side of their segment (vectorised, exact)."""
    ax, ay, bx, by = seg_xy[seg].T
    left = (ax - px) * (by - py)
    right = (ay - py) * (bx - px)
    det = left - right
    size = np.abs(left) + np.abs(right)
    unsure = np.flatnonzero((np.abs(det) <= _ORIENT_ERR * size) | (size < _TINY))
    for k in unsure.tolist():
        exact = _orient_exact(*(float(c[k]) for c in (ax, ay, bx, by, px, py)))
        det[k] = (exact > 0) - (exact < 0)
    lg = seg_left[seg]
    rg = seg_right[seg]
    on_line = np.where(lg >= 0, lg, rg)
    return np.where(det > 0, lg, np.where(det < 0, rg, on_line))


# -- validation --------------------------------------------------------------------------


def _validate(geoms: np.ndarray) -> None:
    for index, geom in enumerate(geoms):
        if not isinstance(geom, BaseGeometry):
            raise ValueError(f"grid entry {index}: not a shapely geometry ({type(geom).__name__})")
    if not len(geoms):
        return
    type_ok = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    empty = shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms)
    finite = np.isfinite(shapely.bounds(geoms)).all(axis=1)
    bad = np.flatnonzero(~type_ok | empty | ~valid | ~finite)
    if bad.size:
        index = int(bad[0])
        geom = geoms[index]
        if not type_ok[index]:
            why = f"{geom.geom_type} is not a Polygon or MultiPolygon"
        elif empty[index]:
            why = "empty geometry"
        elif not finite[index]:
            why = "non-finite coordinates"
        else:
            why = shapely.is_valid_reason(geom)
        more = f" (and {bad.size - 1} more)" if bad.size > 1 else ""
        raise ValueError(f"grid entry {index}: invalid geometry: {why}{more}")


# -- build -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Built:
    """The lookup tables. Leaf values: a grid (≥ 0), -1 (none), or -2 - code where a code
    below `n_segs` is a split on that segment, above it `n_segs` + a candidate list."""

    bounds: tuple[float, float, float, float]
    sx: float  # coarse cells per unit of longitude
    sy: float
    width: int  # coarse cells per row
    top: array.array  # coarse cells: grid, -1, or -2 - block
    blocks: array.array  # block b: offset of its sub-cells in `fine` << 3 | log2(m)
    fine: array.array  # sub-cells (leaf values)
    n_segs: int
    seg_xy: array.array  # segment s: xy[4s:4s + 4] = (ax, ay, bx, by)
    seg_left: array.array  # grid left of a → b (or -1)
    seg_right: array.array
    cand_start: array.array  # candidate list l: cand[cand_start[l]:cand_start[l + 1]]
    cand: array.array
    xs: array.array  # all vertices, ring after ring (rings closed)
    ys: array.array
    ring_start: array.array  # ring r: xs[ring_start[r]:ring_start[r + 1]]
    grid_ring: array.array  # grid g: rings grid_ring[g]:grid_ring[g + 1]
    simple: bytes  # simple[g]: 1 if single lookups test grid g in Python, 0 with shapely
    vertices: int
    refined: int
    ambiguous_share: float
    split_share: float
    candidates_per_ambiguous: float
    table_bytes: int


@dataclass(slots=True)
class _Edges:
    """All polygon edges in coarse-raster units, grouped by grid; their segment ids, and
    per segment how many grids own it (1 or 2; 0 if it cannot split a cell)."""

    u1: np.ndarray
    v1: np.ndarray
    u2: np.ndarray
    v2: np.ndarray
    start: np.ndarray  # edges of grid g: start[g]:start[g + 1]
    seg: np.ndarray
    seg_owners: np.ndarray
    n_grids: int
    n_segs: int


def _int_array(values: np.ndarray) -> array.array:
    out = array.array("i")
    out.frombytes(np.ascontiguousarray(values, dtype=np.int32).tobytes())
    return out


def _float_array(values: np.ndarray) -> array.array:
    out = array.array("d")
    out.frombytes(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    return out


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """owner/rank for counts, e.g. [2, 0, 3] → ([0, 0, 2, 2, 2], [0, 1, 0, 1, 2])."""
    counts = np.maximum(counts, 0).astype(np.int64, copy=False)
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    rank = np.arange(owner.size, dtype=np.int64) - starts[owner]
    return owner, rank


def _empty_built() -> _Built:
    none = array.array("i")
    return _Built(
        bounds=(math.inf, math.inf, -math.inf, -math.inf),
        sx=1.0,
        sy=1.0,
        width=1,
        top=array.array("i", [-1]),
        blocks=none,
        fine=none,
        n_segs=0,
        seg_xy=array.array("d"),
        seg_left=none,
        seg_right=none,
        cand_start=array.array("i", [0]),
        cand=none,
        xs=array.array("d"),
        ys=array.array("d"),
        ring_start=array.array("i", [0]),
        grid_ring=array.array("i", [0]),
        simple=b"",
        vertices=0,
        refined=0,
        ambiguous_share=0.0,
        split_share=0.0,
        candidates_per_ambiguous=0.0,
        table_bytes=0,
    )


def _segments(
    p: np.ndarray, q: np.ndarray, edge_grid: np.ndarray, interior_left: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Group edges p → q into geometric segments (shared borders appear once per grid).

    Returns (edge → segment, segment endpoints (n, 4) in canonical order a < b, grid left of
    a → b, grid right, owners: 1 or 2, or 0 if the segment cannot split a cell). Equal
    segments are found by hashing and then compared; a missed match only costs speed.
    """
    swap = (p[:, 0] > q[:, 0]) | ((p[:, 0] == q[:, 0]) & (p[:, 1] > q[:, 1]))
    ends = np.where(swap[:, None], np.c_[q, p], np.c_[p, q])
    bits = np.ascontiguousarray(ends).view(np.uint64)
    mix = np.array(
        [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
        dtype=np.uint64,
    )
    h = bits[:, 0] * mix[0]
    for c in range(1, 4):
        h = (h ^ (h >> np.uint64(29))) + bits[:, c] * mix[c]
    order = np.argsort(h)
    sorted_ends = ends[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (h[order][1:] != h[order][:-1]) | (sorted_ends[1:] != sorted_ends[:-1]).any(axis=1)
    seg_sorted = np.cumsum(new) - 1
    edge_seg = np.empty(order.size, dtype=np.int64)
    edge_seg[order] = seg_sorted
    n_segs = int(seg_sorted[-1]) + 1 if order.size else 0
    seg_ends = sorted_ends[new]
    on_left = interior_left != swap  # the grid's interior lies left of a → b
    n_left = np.bincount(edge_seg[on_left], minlength=n_segs)
    n_right = np.bincount(edge_seg[~on_left], minlength=n_segs)
    left = np.full(n_segs, -1, dtype=np.int64)
    right = np.full(n_segs, -1, dtype=np.int64)
    left[edge_seg[on_left]] = edge_grid[on_left]
    right[edge_seg[~on_left]] = edge_grid[~on_left]
    usable = (n_left <= 1) & (n_right <= 1) & (seg_ends[:, :2] != seg_ends[:, 2:]).any(axis=1)
    owners = np.where(usable, n_left + n_right, 0)
    return edge_seg, seg_ends, left, right, owners


def _build(geoms: np.ndarray) -> _Built:
    n = len(geoms)
    if n == 0:
        return _empty_built()
    x0, y0, x1, y1 = (float(c) for c in shapely.total_bounds(geoms))

    # Rings, edges and segments.
    parts, part_grid = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_grid = part_grid[ring_part]
    is_hole = np.arange(len(rings)) != np.searchsorted(ring_part, ring_part)
    interior_left = shapely.is_ccw(rings) != is_hole
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    edge_at = np.flatnonzero(coord_ring[:-1] == coord_ring[1:])
    edge_ring = coord_ring[edge_at]
    edge_grid = ring_grid[edge_ring]
    edge_seg, seg_ends, seg_left, seg_right, seg_owners = _segments(
        coords[edge_at], coords[edge_at + 1], edge_grid, interior_left[edge_ring]
    )

    # Coarse raster: cells about square, ~_COARSE_PER_GRID per grid; one extra column and
    # row so that a point exactly on the max bound still has a cell.
    w = x1 - x0
    h = y1 - y0
    target = min(max(_COARSE_PER_GRID * n, _MIN_COARSE), _MAX_COARSE)
    cell = math.sqrt(w * h / target)
    nx = max(1, min(round(w / cell), 1 << 14))
    ny = max(1, min(round(h / cell), 1 << 14))
    sx = nx / w
    sy = ny / h
    width = nx + 1
    height = ny + 1
    # Margin (in coarse cells) that covers every rounding error of the cell arithmetic.
    delta = 2.0**-40 * (max(abs(x0), abs(x1)) * sx + max(abs(y0), abs(y1)) * sy + width + height)

    edges = _Edges(
        u1=(coords[edge_at, 0] - x0) * sx,
        v1=(coords[edge_at, 1] - y0) * sy,
        u2=(coords[edge_at + 1, 0] - x0) * sx,
        v2=(coords[edge_at + 1, 1] - y0) * sy,
        start=np.searchsorted(edge_grid, np.arange(n + 1)),
        seg=edge_seg,
        seg_owners=seg_owners,
        n_grids=n,
        n_segs=len(seg_owners),
    )
    n_segs = edges.n_segs

    # Level 1: the whole raster is one block, every grid a candidate (no splits here:
    # the candidate lists of boundary cells feed level 2).
    one = np.ones(1, dtype=np.int64)
    top_vals, l1_counts, l1_grids = _classify(
        edges,
        blk_u0=np.zeros(1, dtype=np.int64),
        blk_v0=np.zeros(1, dtype=np.int64),
        blk_nu=one * width,
        blk_nv=one * height,
        blk_m=one,
        pair_blk=np.zeros(n, dtype=np.int64),
        pair_grid=np.arange(n, dtype=np.int64),
        delta=delta,
        splits=False,
    )

    # Level 2: sub-rasters for the boundary cells. How many grids meet in a cell (each
    # counted by min(1, cell area / grid area)) says how fine its sub-raster must be for
    # the sub-cells to be as small, relative to the local grids, as everywhere else.
    amb_cells = np.flatnonzero(top_vals < -1)
    amb_list = -2 - n_segs - top_vals[amb_cells]  # lists are numbered in cell order
    k = l1_counts[amb_list]
    l1_start = np.concatenate(([0], np.cumsum(l1_counts)))
    with np.errstate(over="ignore", divide="ignore"):
        weight = np.minimum(1.0, 1.0 / (sx * sy) / shapely.area(geoms))
    pair_block, rank = _expand(k)
    pair_grid = l1_grids[l1_start[amb_list][pair_block] + rank]
    crowd = np.bincount(pair_block, weights=weight[pair_grid], minlength=amb_cells.size)
    m = _sub_raster_sizes(crowd, min(_MAX_FINE, max(_FINE_PER_GRID * n, _MIN_FINE)))
    block_off = np.cumsum(m * m) - m * m
    fine = np.full(int((m * m).sum()), -1, dtype=np.int64)

    # Candidate lists: those of the coarse cells left whole, then those of sub-cells.
    list_counts: list[np.ndarray] = []
    list_grids: list[np.ndarray] = []
    n_lists = 0
    whole = np.flatnonzero(m == 1)
    if whole.size:
        kl = amb_list[whole]
        at, rank = _expand(l1_counts[kl])
        list_counts.append(l1_counts[kl])
        list_grids.append(l1_grids[l1_start[kl][at] + rank])
        fine[block_off[whole]] = -2 - n_segs - np.arange(whole.size)
        n_lists += whole.size

    refine = np.flatnonzero(m > 1)
    if refine.size:
        # Chunks of blocks, so that the (block, edge) expansion stays bounded.
        pair_start = np.concatenate(([0], np.cumsum(k)))
        block_rows = np.bincount(
            pair_block, weights=np.diff(edges.start)[pair_grid], minlength=amb_cells.size
        )[refine]
        chunk = (np.cumsum(block_rows) // _CHUNK_ROWS).astype(np.int64)
        cuts = np.concatenate(([0], np.flatnonzero(np.diff(chunk)) + 1, [refine.size]))
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            blocks = refine[lo:hi]
            cells = amb_cells[blocks]
            bm = m[blocks]
            starts = pair_start[blocks]
            at, rank = _expand(k[blocks])
            vals, counts, grids = _classify(
                edges,
                blk_u0=cells % width,
                blk_v0=cells // width,
                blk_nu=bm,
                blk_nv=bm,
                blk_m=bm,
                pair_blk=at,
                pair_grid=pair_grid[starts[at] + rank],
                delta=delta,
                splits=True,
            )
            vals = np.where(vals < -1 - n_segs, vals - n_lists, vals)
            at, rank = _expand(bm * bm)
            fine[block_off[blocks][at] + rank] = vals
            list_counts.append(counts)
            list_grids.append(grids)
            n_lists += counts.size

    top = top_vals.copy()
    top[amb_cells] = -2 - np.arange(amb_cells.size)
    counts_all = np.concatenate(list_counts) if list_counts else np.zeros(0, dtype=np.int64)
    grids_all = np.concatenate(list_grids) if list_grids else np.zeros(0, dtype=np.int64)
    cand_start = np.concatenate(([0], np.cumsum(counts_all)))

    # Shares of the covered area that need a polygon test, or one orientation test.
    covered = float((top_vals >= 0).sum())
    amb_area = split_area = 0.0
    if amb_cells.size:
        leaf_area = 1.0 / np.repeat(m * m, m * m)
        covered += float(leaf_area[fine != -1].sum())
        amb_area = float(leaf_area[fine < -1 - n_segs].sum())
        split_area = float(leaf_area[(fine < -1) & (fine >= -1 - n_segs)].sum())

    # Vertices for the scalar exact test (grids with few vertices; shapely does the rest).
    ring_start = np.concatenate(([0], np.cumsum(np.bincount(coord_ring, minlength=len(rings)))))
    grid_ring = np.searchsorted(ring_grid, np.arange(n + 1))
    grid_vertices = np.bincount(ring_grid, weights=np.diff(ring_start) - 1, minlength=n)
    # Prepare every grid and query each once now, so that GEOS's lazily built point
    # locators exist before the index is shared between threads.
    shapely.prepare(geoms)
    first = coords[ring_start[grid_ring[:-1]]]
    shapely.intersects_xy(geoms, first[:, 0], first[:, 1])

    built = _Built(
        bounds=(x0, y0, x1, y1),
        sx=sx,
        sy=sy,
        width=width,
        top=_int_array(top),
        blocks=_int_array(block_off << 3 | np.log2(m).astype(np.int64)),
        fine=_int_array(fine),
        n_segs=n_segs,
        seg_xy=_float_array(seg_ends),
        seg_left=_int_array(seg_left),
        seg_right=_int_array(seg_right),
        cand_start=_int_array(cand_start),
        cand=_int_array(grids_all),
        xs=_float_array(coords[:, 0]),
        ys=_float_array(coords[:, 1]),
        ring_start=_int_array(ring_start),
        grid_ring=_int_array(grid_ring),
        simple=(grid_vertices <= _PY_MAX_VERTICES).astype(np.uint8).tobytes(),
        vertices=int(grid_vertices.sum()),
        refined=int(refine.size),
        ambiguous_share=amb_area / covered if covered else 0.0,
        split_share=split_area / covered if covered else 0.0,
        candidates_per_ambiguous=float(counts_all.mean()) if counts_all.size else 0.0,
        table_bytes=0,
    )
    built.table_bytes = sum(
        len(t) * t.itemsize
        for t in (getattr(built, f) for f in _Built.__slots__)
        if isinstance(t, array.array)
    )
    return built


def _sub_raster_sizes(crowd: np.ndarray, budget: float) -> np.ndarray:
    """Power-of-two sub-raster sizes m, m² about in proportion to `crowd`, Σm² ≤ `budget`."""

    def sizes(factor: float) -> np.ndarray:
        # The power of two nearest (geometrically) to sqrt(factor · crowd); 1 up to √2.
        exponent = np.round(np.log2(np.maximum(np.sqrt(factor * crowd), 1.0)))
        return 2 ** np.minimum(exponent, _MAX_M.bit_length() - 1).astype(np.int64)

    lo, hi = 0.0, 40.0  # log2 of the factor
    if int((sizes(2.0**lo) ** 2).sum()) > budget:
        return np.ones(crowd.size, dtype=np.int64)
    for _ in range(30):
        mid = (lo + hi) / 2.0
        if int((sizes(2.0**mid) ** 2).sum()) <= budget:
            lo = mid
        else:
            hi = mid
    return sizes(2.0**lo)


def _classify(
    edges: _Edges,
    *,
    blk_u0: np.ndarray,
    blk_v0: np.ndarray,
    blk_nu: np.ndarray,
    blk_nv: np.ndarray,
    blk_m: np.ndarray,
    pair_blk: np.ndarray,
    pair_grid: np.ndarray,
    delta: float,
    splits: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify the cells of some blocks against their candidate grids.

    A block is the rectangle of `blk_nu` × `blk_nv` cells of size 1/`blk_m` coarse units
    whose lower-left corner is the coarse point (`blk_u0`, `blk_v0`); (`pair_blk`,
    `pair_grid`) lists the grids that may intersect each block. Cells of all blocks are laid
    out one block after the other, row-major. Returns (vals, list_counts, list_grids):
    vals[cell] is a grid (the cell lies inside it), -1 (inside none), -2 - segment (only
    that segment crosses the cell; with `splits`) or -2 - n_segs - list (candidate list
    number `list`, numbered in cell order; the grid covering the cell's centre first).
    """
    n_segs = edges.n_segs
    cells_per_blk = blk_nu * blk_nv
    blk_off = np.cumsum(cells_per_blk) - cells_per_blk
    total_cells = int(cells_per_blk.sum())

    # (pair, edge) rows, in block-local cell units; only edges reaching the block's rows.
    first = edges.start[pair_grid]
    owner, rank = _expand(edges.start[pair_grid + 1] - first)
    e = first[owner] + rank
    del rank
    blk = pair_blk[owner]
    mm = blk_m[blk].astype(np.float64)
    v0 = blk_v0[blk]
    v1 = (edges.v1[e] - v0) * mm
    v2 = (edges.v2[e] - v0) * mm
    d = delta * mm
    vlo = np.minimum(v1, v2)
    vhi = np.maximum(v1, v2)
    sel = np.flatnonzero((vhi >= -d) & (vlo <= blk_nv[blk] + d))
    owner, e, blk, mm, v1, v2, d, vlo, vhi = (
        a[sel] for a in (owner, e, blk, mm, v1, v2, d, vlo, vhi)
    )
    u0 = blk_u0[blk]
    u1 = (edges.u1[e] - u0) * mm
    u2 = (edges.u2[e] - u0) * mm
    nu = blk_nu[blk]
    nv = blk_nv[blk]
    del u0, v0, mm

    # Scanline: crossings of each row's centre line (half-open rule, the same for the two
    # edges meeting at a vertex), paired even-odd per (pair, row) into intervals.
    r0 = np.clip(np.ceil(vlo - 0.5), 0, nv).astype(np.int64)
    r1 = np.clip(np.ceil(vhi - 0.5), 0, nv).astype(np.int64)
    s_row, s_rank = _expand(r1 - r0)
    row = r0[s_row] + s_rank
    del s_rank, r0, r1
    sv1 = v1[s_row]
    t = np.clip((row + 0.5 - sv1) / (v2[s_row] - sv1), 0.0, 1.0)
    uc = u1[s_row] + t * (u2[s_row] - u1[s_row])
    del sv1, t
    s_pair = owner[s_row]
    group = s_pair * (int(blk_nv.max()) + 1) + row
    order = np.argsort(group)
    group = group[order]
    # Each (pair, row) has an even number of crossings; most have two, and only the
    # groups with more need sorting by position.
    heads = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
    sizes = np.diff(np.concatenate((heads, [group.size])))
    big = np.repeat(sizes > 2, sizes)
    if big.any():
        sub = order[big]
        order[big] = sub[np.lexsort((uc[sub], group[big]))]
    del group, big
    first_at = order[0::2]
    second_at = order[1::2]
    ua = np.minimum(uc[first_at], uc[second_at])
    ub = np.maximum(uc[first_at], uc[second_at])
    i_pair = s_pair[first_at]
    i_row = row[first_at]
    del order, first_at, second_at, uc, s_pair, row, s_row

    # Boundary cells: every cell within the margin of an edge, rasterised along the edge's
    # major axis (so that the interpolation is well conditioned).
    ulo = np.minimum(u1, u2)
    uhi = np.maximum(u1, u2)
    sel = np.flatnonzero((uhi >= -d) & (ulo <= nu + d))
    b_key_parts = []
    b_row_parts = []
    ymajor = np.abs(v2 - v1) >= np.abs(u2 - u1)
    for major_y in (True, False):
        s = sel[ymajor[sel] == major_y]
        if not s.size:
            continue
        if major_y:
            p1, q1, p2, q2, np_, nq = v1[s], u1[s], v2[s], u2[s], nv[s], nu[s]
        else:
            p1, q1, p2, q2, np_, nq = u1[s], v1[s], u2[s], v2[s], nu[s], nv[s]
        ds = d[s]
        plo = np.minimum(p1, p2)
        phi = np.maximum(p1, p2)
        k0 = np.clip(np.floor(plo - ds), 0, np_ - 1).astype(np.int64)
        k1 = np.clip(np.floor(phi + ds), 0, np_ - 1).astype(np.int64)
        b_own, b_rank = _expand(k1 - k0 + 1)
        band = k0[b_own] + b_rank
        bp1 = p1[b_own]
        bq1 = q1[b_own]
        dp = p2[b_own] - bp1
        dq = q2[b_own] - bq1
        bd = ds[b_own]
        pa = np.maximum(band - bd, plo[b_own])
        pb = np.minimum(band + 1.0 + bd, phi[b_own])
        with np.errstate(divide="ignore", invalid="ignore"):
            ta = np.where(dp != 0.0, np.clip((pa - bp1) / dp, 0.0, 1.0), 0.0)
            tb = np.where(dp != 0.0, np.clip((pb - bp1) / dp, 0.0, 1.0), 0.0)
        qa = bq1 + ta * dq
        qb = bq1 + tb * dq
        qlo = np.minimum(qa, qb) - bd
        qhi = np.maximum(qa, qb) + bd
        bnq = nq[b_own]
        m0 = np.clip(np.floor(qlo), 0, bnq - 1).astype(np.int64)
        m1 = np.clip(np.floor(qhi), 0, bnq - 1).astype(np.int64)
        cnt = np.where((qhi >= 0.0) & (qlo <= bnq), m1 - m0 + 1, 0)
        q_own, q_rank = _expand(cnt)
        minor = m0[q_own] + q_rank
        major = band[q_own]
        src = s[b_own[q_own]]
        r_, c_ = (major, minor) if major_y else (minor, major)
        sb = blk[src]
        b_key_parts.append(blk_off[sb] + r_ * blk_nu[sb] + c_)
        b_row_parts.append(src)
    b_key = np.concatenate(b_key_parts) if b_key_parts else np.zeros(0, np.int64)
    b_src = np.concatenate(b_row_parts) if b_row_parts else np.zeros(0, np.int64)
    b_grid = pair_grid[owner[b_src]]
    del b_key_parts, b_row_parts
    special = np.zeros(total_cells + 1, dtype=bool)  # a spare slot for end markers
    special[b_key] = True

    # The cells whose centre an interval covers form a run; runs of different grids do
    # not overlap unless the input does. Each cell gets the grid of its run, or none.
    i_grid = pair_grid[i_pair]
    i_blk = pair_blk[i_pair]
    i_nu = blk_nu[i_blk]
    nuf = i_nu.astype(np.float64)
    base = blk_off[i_blk] + i_row * i_nu
    run_start = base + np.clip(np.ceil(ua - 0.5), 0.0, nuf).astype(np.int64)
    run_end = base + np.clip(np.ceil(ub - 0.5), 0.0, nuf).astype(np.int64)
    ok = np.flatnonzero(run_end > run_start)
    order = ok[np.argsort(run_start[ok])]
    rs = run_start[order]
    re = run_end[order]
    rg = i_grid[order]
    extra_key = extra_grid = np.zeros(0, dtype=np.int64)
    if rs.size:
        reach = np.concatenate(([0], np.maximum.accumulate(re)[:-1]))
        if (rs < reach).any():
            # Overlapping grids: cells covered twice are special, with every covering grid.
            depth = np.cumsum(
                np.bincount(rs, minlength=total_cells + 1)
                - np.bincount(re, minlength=total_cells + 1)
            )
            multi = depth > 1
            special |= multi
            multi_before = np.concatenate(([0], np.cumsum(multi)))
            hit = np.flatnonzero(multi_before[re] > multi_before[rs])
            at, rank = _expand(re[hit] - rs[hit])
            cells = rs[hit][at] + rank
            keep = multi[cells]
            extra_key = cells[keep]
            extra_grid = rg[hit][at][keep]
            rs = np.maximum(rs, reach)
            ok = re > rs
            rs, re, rg = rs[ok], re[ok], rg[ok]
    seg_grid = np.full(2 * rs.size + 1, -1, dtype=np.int64)
    seg_len = np.empty(2 * rs.size + 1, dtype=np.int64)
    seg_grid[1::2] = rg
    seg_len[0:-1:2] = rs - np.concatenate(([0], re[:-1]))
    seg_len[1::2] = re - rs
    seg_len[-1] = total_cells - (re[-1] if re.size else 0)
    vals = np.repeat(seg_grid, seg_len)
    special = special[:total_cells]
    sp_cells = np.flatnonzero(special)
    sp_owner = vals[sp_cells]
    vals[sp_cells] = -1

    # Candidates of special cells: the grid covering the centre first (it usually covers
    # most of the cell), then the other grids with an edge near.
    owned = sp_owner >= 0
    key = np.concatenate((sp_cells[owned], extra_key, b_key))
    if not key.size:
        return vals, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    grid = np.concatenate((sp_owner[owned], extra_grid, b_grid))
    later = np.zeros(key.size, dtype=np.int64)
    later[key.size - b_key.size :] = 1
    key, grid = _candidate_lists(key, grid, later, edges.n_grids)
    head = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    counts = np.diff(np.concatenate((head, [key.size])))
    cells = key[head]
    listed = np.ones(cells.size, dtype=bool)
    if splits and b_key.size:
        # A cell near exactly one segment, whose candidates are just its owners, is split
        # by it: the segment crosses the whole cell, each side lies in one grid (or none).
        b_seg = edges.seg[e[b_src]]
        seg_at = np.full(total_cells, -1, dtype=np.int64)
        seg_at[b_key] = b_seg
        mixed = np.zeros(total_cells, dtype=bool)
        mixed[b_key[seg_at[b_key] != b_seg]] = True
        seg = seg_at[cells]
        split = (seg >= 0) & ~mixed[cells]
        split[split] = edges.seg_owners[seg[split]] == counts[split]
        vals[cells[split]] = -2 - seg[split]
        listed = ~split
    vals[cells[listed]] = -2 - n_segs - np.arange(int(listed.sum()))
    return vals, counts[listed], grid[np.repeat(listed, counts)]


def _candidate_lists(
    key: np.ndarray, grid: np.ndarray, later: np.ndarray, n_grids: int
) -> tuple[np.ndarray, np.ndarray]:
    """Unique (key, grid) pairs sorted by key, then `later` (0 before 1), then grid.

    Packed into one int64 and sorted by value (much cheaper than argsort and gathers)."""
    key_bits = int(key.max()).bit_length()
    grid_bits = max(n_grids - 1, 1).bit_length()
    if key_bits + grid_bits + 1 > 62:  # pragma: no cover - far beyond any city
        order = np.lexsort((later, grid, key))
        key, grid, later = key[order], grid[order], later[order]
        first = np.concatenate(([True], (key[1:] != key[:-1]) | (grid[1:] != grid[:-1])))
        key, grid, later = key[first], grid[first], later[first]
        order = np.lexsort((grid, later, key))
        return key[order], grid[order]
    grid_mask = (1 << grid_bits) - 1
    packed = (key << (grid_bits + 1)) | (grid << 1) | later
    packed.sort()
    pair = packed >> 1
    packed = packed[np.concatenate(([True], pair[1:] != pair[:-1]))]  # keeps the lower `later`
    key = packed >> (grid_bits + 1)
    packed = (key << (grid_bits + 1)) | ((packed & 1) << grid_bits) | ((packed >> 1) & grid_mask)
    packed.sort()
    return packed >> (grid_bits + 1), packed & grid_mask
