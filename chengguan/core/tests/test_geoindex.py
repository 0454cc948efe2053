"""GridIndex: exact point → grid lookup (pure: no database, no Django)."""

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from chengguan.core.errors import DomainError
from chengguan.core.geoindex import GridIndex, OutsideCoverage


@pytest.fixture(autouse=True)
def _fresh_caches():
    """These tests are pure: no Django. Overrides the project conftest's autouse fixture of
    this name (it imports Django models), so `pytest -p no:django` runs this module too."""
    yield


@dataclass(frozen=True)
class Grid:
    code: str
    street: str
    county: str


def _grid(code: str) -> Grid:
    return Grid(code=code, street=f"街道-{code[:2]}", county="金水区")


# A hand-made city on [0, 11] × [0, 3]:
#   3×3 unit squares on [0, 3]²; an L-shaped (concave) grid on [3, 5] × [0, 2] whose notch
#   [4, 5] × [1, 2] is a gap; a MultiPolygon grid [3, 4] × [2, 3] ∪ [10, 11] × [0, 1];
#   a square [6, 9] × [0, 3] with a hole [7, 8] × [1, 2] that is another grid.
SQUARES = {f"sq{i}{j}": box(i, j, i + 1, j + 1) for i in range(3) for j in range(3)}
L_SHAPE = Polygon([(3, 0), (5, 0), (5, 1), (4, 1), (4, 2), (3, 2)])
MULTI = MultiPolygon([box(3, 2, 4, 3), box(10, 0, 11, 1)])
DONUT = Polygon(box(6, 0, 9, 3).exterior.coords, [box(7, 1, 8, 2).exterior.coords])
HOLE = box(7, 1, 8, 2)
CITY = {**SQUARES, "L": L_SHAPE, "multi": MULTI, "donut": DONUT, "hole": HOLE}


@pytest.fixture(scope="module")
def city() -> GridIndex[Grid]:
    return GridIndex([(_grid(code), geom) for code, geom in CITY.items()], version=7)


def _code(index: GridIndex[Grid], x: float, y: float) -> str | None:
    i = index.locate_index(x, y)
    return None if i < 0 else index.payloads[i].code


def test_points_inside_each_grid(city):
    for code, geom in CITY.items():
        p = geom.representative_point()
        assert city.locate(p.x, p.y).code == code
    assert city.locate(0.5, 2.5).code == "sq02"
    assert city.locate(2.999, 0.001).code == "sq20"


def test_concave_multipolygon_and_hole(city):
    assert city.locate(3.5, 1.5).code == "L"  # the L's upright
    assert city.locate(4.5, 0.5).code == "L"  # the L's foot
    assert city.locate(3.5, 2.5).code == "multi"
    assert city.locate(10.5, 0.5).code == "multi"  # the far part
    assert city.locate(7.5, 1.5).code == "hole"  # in the donut's hole: the inner grid
    assert city.locate(6.5, 1.5).code == "donut"
    assert city.locate(8.99, 2.99).code == "donut"


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (4.5, 1.5),  # the L's notch
        (4.5, 2.5),  # between the multipolygon and the donut
        (5.5, 0.5),
        (9.5, 0.5),  # between the donut and the multipolygon's far part
        (10.5, 2.0),  # above the far part, inside the bounding box
        (-0.1, 1.0),  # outside the bounding box
        (11.5, 0.5),
        (1.0, 3.0001),
        (1.0, -1e-9),
    ],
)
def test_points_in_no_grid_are_outside(city, x, y):
    assert city.locate_index(x, y) == -1
    with pytest.raises(OutsideCoverage) as caught:
        city.locate(x, y)
    assert isinstance(caught.value, DomainError)
    assert caught.value.status_code == 400
    assert caught.value.params == {"lon": x, "lat": y}
    assert f"{x:.6f}" in str(caught.value)


@pytest.mark.parametrize(
    ("x", "y"),
    [(math.nan, 1.0), (1.0, math.nan), (math.inf, 1.0), (1.0, -math.inf), (math.nan, math.nan)],
)
def test_non_finite_coordinates_are_outside(city, x, y):
    assert city.locate_index(x, y) == -1
    with pytest.raises(OutsideCoverage, match="坐标无效"):
        city.locate(x, y)
    assert city.locate_many(np.array([x]), np.array([y])).tolist() == [-1]


def test_points_on_borders_go_to_a_grid_that_touches_them(city):
    assert _code(city, 1.0, 1.5) in {"sq01", "sq11"}
    assert _code(city, 1.0, 1.0) in {"sq00", "sq01", "sq10", "sq11"}
    assert _code(city, 3.0, 0.5) in {"sq20", "L"}
    assert _code(city, 7.0, 1.5) in {"donut", "hole"}
    assert _code(city, 7.5, 2.0) in {"donut", "hole"}
    assert _code(city, 8.0, 2.0) in {"donut", "hole"}
    # Borders with no neighbour belong to their grid (polygons are closed).
    assert _code(city, 0.0, 0.5) == "sq00"
    assert _code(city, 0.0, 0.0) == "sq00"
    assert _code(city, 11.0, 1.0) == "multi"
    assert _code(city, 4.5, 1.0) == "L"  # the notch's floor
    assert _code(city, 9.0, 3.0) == "donut"


def test_index_metadata(city):
    assert len(city) == len(CITY)
    assert city.version == 7
    assert [p.code for p in city.payloads] == list(CITY)
    assert city.bounds == (0.0, 0.0, 11.0, 3.0)
    stats = city.stats
    assert stats.grids == len(CITY)
    assert stats.vertices == 9 * 4 + 6 + 8 + 8 + 4
    assert stats.coarse_cells > 0
    assert 0.0 <= stats.ambiguous_share + stats.split_share <= 1.0
    assert stats.table_bytes > 0
    assert stats.build_seconds >= 0.0


def test_locate_many_agrees_with_locate(city):
    rng = np.random.default_rng(1)
    xs = np.concatenate((rng.uniform(-0.5, 11.5, 3000), np.repeat(np.arange(12.0), 4)))
    ys = np.concatenate((rng.uniform(-0.5, 3.5, 3000), np.tile([0.0, 1.0, 2.0, 3.0], 12)))
    many = city.locate_many(xs, ys)
    assert many.dtype == np.int32
    assert many.tolist() == [city.locate_index(x, y) for x, y in zip(xs, ys, strict=True)]
    _assert_exact(list(CITY.values()), xs, ys, many)
    # Shape is kept; lists and scalars are accepted.
    grid = city.locate_many(xs[:6].reshape(2, 3), ys[:6].reshape(2, 3))
    assert grid.shape == (2, 3)
    assert grid.ravel().tolist() == many[:6].tolist()
    assert city.locate_many([0.5, 20.0], [0.5, 0.5]).tolist() == [city.locate_index(0.5, 0.5), -1]
    assert city.locate_many(np.array([]), np.array([])).shape == (0,)
    with pytest.raises(ValueError, match="shape"):
        city.locate_many(np.zeros(3), np.zeros(2))


def test_numpy_and_int_scalars(city):
    assert city.locate(np.float32(0.5), np.float32(0.5)).code == "sq00"
    assert city.locate(np.float64(7.5), np.float64(1.5)).code == "hole"
    assert city.locate(1, 2).code in {"sq01", "sq02", "sq11", "sq12"}


def test_points_a_hair_from_a_slanted_border():
    """Float arithmetic cannot tell the side of these points; the exact fallback can."""
    a = Polygon([(113.0, 34.0), (114.0, 34.0), (114.0, 35.0)])  # below the diagonal
    b = Polygon([(113.0, 34.0), (114.0, 35.0), (113.0, 35.0)])  # above it
    far = Polygon([(113.1, 34.9), (113.2, 34.9), (113.15, 34.95)])  # a third grid, elsewhere
    index = GridIndex([("a", a), ("b", b.difference(far)), ("far", far)])
    rng = np.random.default_rng(4)
    t = rng.uniform(113.0, 114.0, 2000)
    on = t - 79.0  # rounded: some on the line, some a hair off it
    xs = np.concatenate((t, t, t))
    ys = np.concatenate((on, np.nextafter(on, 35.0), np.nextafter(on, 34.0)))
    many = index.locate_many(xs, ys)
    assert many.tolist() == [index.locate_index(x, y) for x, y in zip(xs, ys, strict=True)]
    _assert_exact([a, b.difference(far), far], xs, ys, many)
    # Most cells on the diagonal are split by it alone (one orientation test).
    assert index.stats.split_share > 10 * index.stats.ambiguous_share


def test_single_lookups_stay_exact_where_products_underflow():
    # (3, 5e-324) lies inside `inner`, in the hole of `ring` (a hair above their common
    # vertex); the orientation products underflow to 0, the exact fallback decides.
    ring = Polygon([(2, 0), (4, 0), (4, 2), (2, 2)], [[(3, 0), (3.5, 1), (2.5, 1)]])
    inner = Polygon([(3, 0), (3.5, 1), (2.5, 1)])
    index = GridIndex([("ring", ring), ("inner", inner)])
    assert index.locate(3.0, 5e-324) == "inner"
    assert index.locate(3.0, 0.0) in {"ring", "inner"}
    assert index.locate(3.0, 1e-300) == "inner"
    assert index.locate(2.5, 5e-324) == "ring"
    assert index.locate_index(3.0, -5e-324) == -1


def test_threads_share_one_index(city):
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    xs = rng.uniform(-0.5, 11.5, 20000).tolist()
    ys = rng.uniform(-0.5, 3.5, 20000).tolist()
    expected = [city.locate_index(x, y) for x, y in zip(xs, ys, strict=True)]

    def work(_):
        return [city.locate_index(x, y) for x, y in zip(xs, ys, strict=True)]

    with ThreadPoolExecutor(4) as pool:
        assert all(got == expected for got in pool.map(work, range(4)))


def test_overlapping_grids_are_still_exact():
    a = box(0, 0, 2, 2)
    b = box(1, 1, 3, 3)
    c = box(0.25, 0.25, 2.75, 2.75)  # overlaps both, covers cells with no edge of its own
    index = GridIndex([("a", a), ("b", b), ("c", c)])
    assert index.locate(0.1, 0.1) == "a"
    assert index.locate(2.9, 2.9) == "b"
    assert index.locate(1.5, 1.5) in {"a", "b", "c"}
    assert index.locate(0.5, 2.5) == "c"
    rng = np.random.default_rng(2)
    xs = rng.uniform(-0.5, 3.5, 5000)
    ys = rng.uniform(-0.5, 3.5, 5000)
    many = index.locate_many(xs, ys)
    assert many.tolist() == [index.locate_index(x, y) for x, y in zip(xs, ys, strict=True)]
    geoms = [a, b, c]
    covers = shapely.intersects_xy(np.array(geoms)[:, None], xs[None, :], ys[None, :])
    assert (covers.any(axis=0) == (many >= 0)).all()
    assert all(covers[k, i] for i, k in enumerate(many) if k >= 0)


def test_grids_with_many_vertices():
    # More vertices than the pure-Python test handles: shapely's prepared test is used.
    circle = Point(113.6, 34.7).buffer(0.05, quad_segs=64)
    ring = Point(113.6, 34.7).buffer(0.1, quad_segs=64).difference(circle)
    index = GridIndex([("inner", circle), ("ring", ring)])
    assert index.locate(113.6, 34.7) == "inner"
    assert index.locate(113.6, 34.775) == "ring"
    assert index.locate_index(113.6, 34.81) == -1
    assert index.locate_index(113.69, 34.79) == -1
    rng = np.random.default_rng(3)
    xs = rng.uniform(113.48, 113.72, 4000)
    ys = rng.uniform(34.58, 34.82, 4000)
    many = index.locate_many(xs, ys)
    assert many.tolist() == [index.locate_index(x, y) for x, y in zip(xs, ys, strict=True)]
    _assert_exact([circle, ring], xs, ys, many)


def test_empty_index():
    index: GridIndex[str] = GridIndex([])
    assert len(index) == 0
    assert index.locate_index(113.6, 34.7) == -1
    with pytest.raises(OutsideCoverage):
        index.locate(113.6, 34.7)
    assert index.locate_many(np.array([113.6]), np.array([34.7])).tolist() == [-1]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), "Self-intersection"),
        (Polygon(), "empty"),
        (Point(0.5, 0.5), "Point is not a Polygon"),
        (box(0, 0, 1, 1).boundary, "not a Polygon"),
        ("POLYGON ((0 0, 1 0, 1 1, 0 0))", "not a shapely geometry"),
    ],
)
def test_invalid_geometry_is_rejected_naming_the_entry(bad, reason):
    entries = [("a", box(0, 0, 1, 1)), ("b", box(1, 0, 2, 1)), ("bad", bad)]
    with pytest.raises(ValueError, match=r"grid entry 2\b.*" + reason):
        GridIndex(entries)


def test_outside_coverage_message():
    error = OutsideCoverage(113.123456789, 34.5)
    assert str(error) == "该位置（113.123457, 34.500000）不在本市网格范围内"
    assert error.message == "该位置（%(lon).6f, %(lat).6f）不在本市网格范围内"
    assert "nan" in str(OutsideCoverage(math.nan, 34.5))


# -- properties against a brute-force shapely loop ----------------------------------------


def _assert_exact(geoms, xs, ys, found) -> None:
    """`found` must be a grid whose closed polygon holds the point; -1 only if none does;
    the one grid whose interior holds the point if there is one."""
    geoms = np.array(geoms, dtype=object)
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    found = np.asarray(found)
    covers = shapely.intersects_xy(geoms[:, None], xs[None, :], ys[None, :])
    inside = shapely.contains_xy(geoms[:, None], xs[None, :], ys[None, :])
    some = covers.any(axis=0)
    assert ((found >= 0) == some).all(), np.flatnonzero((found >= 0) != some)[:10]
    hit = found >= 0
    assert covers[found[hit], np.flatnonzero(hit)].all()
    one = inside.sum(axis=0) == 1
    assert (found[one] == inside[:, one].argmax(axis=0)).all()


def _probe_points(geoms, rng, n_random: int, bounds) -> tuple[np.ndarray, np.ndarray]:
    """Random points plus the hard ones: vertices, edge midpoints, one ulp beside them."""
    x0, y0, x1, y1 = bounds
    dx = (x1 - x0) * 0.05 or 1.0
    dy = (y1 - y0) * 0.05 or 1.0
    xs = [rng.uniform(x0 - dx, x1 + dx, n_random)]
    ys = [rng.uniform(y0 - dy, y1 + dy, n_random)]
    coords = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(geoms)))
    if len(coords) > 400:
        coords = coords[rng.choice(len(coords), 400, replace=False)]
    mid = (coords[:-1] + coords[1:]) / 2.0
    for pts in (coords, mid):
        for sx, sy in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
            xs.append(pts[:, 0] if sx == 0 else np.nextafter(pts[:, 0], sx * np.inf))
            ys.append(pts[:, 1] if sy == 0 else np.nextafter(pts[:, 1], sy * np.inf))
    xs.append(np.array([x0, x1, x0, x1]))
    ys.append(np.array([y0, y0, y1, y1]))
    xs = np.concatenate(xs)
    ys = np.concatenate(ys)
    # No subnormal coordinates (one ulp beside 0): GEOS, the reference, is not exact there.
    sane = ~((np.abs(xs) < 1e-150) & (xs != 0)) & ~((np.abs(ys) < 1e-150) & (ys != 0))
    return xs[sane], ys[sane]


def _check_index(geoms, rng, n_random=1500) -> None:
    index = GridIndex([(k, g) for k, g in enumerate(geoms)])
    xs, ys = _probe_points(np.array(geoms, dtype=object), rng, n_random, index.bounds)
    many = index.locate_many(xs, ys)
    single = np.array([index.locate_index(x, y) for x, y in zip(xs, ys, strict=True)])
    assert (many == single).all(), np.flatnonzero(many != single)[:10]
    _assert_exact(geoms, xs, ys, many)


_cuts = st.lists(st.floats(1e-12, 1.0 - 1e-12), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=_cuts,
    rows=st.lists(_cuts, min_size=7, max_size=7),
    drop=st.sets(st.integers(0, 48), max_size=10),
    origin=st.sampled_from([(0.0, 0.0), (113.0, 34.2), (-5.0, 2.5), (500_000.0, 3_800_000.0)]),
    size=st.sampled_from([(1.0, 1.0), (1.3, 0.8), (0.01, 0.02), (40_000.0, 30_000.0)]),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_rectilinear_partition(columns, rows, drop, origin, size, seed):
    """Columns cut into cells by horizontal lines; some cells dropped (gaps)."""
    (ox, oy), (w, h) = origin, size
    xs = sorted({0.0, 1.0, *columns})
    geoms = []
    k = 0
    for c, (a, b) in enumerate(itertools.pairwise(xs)):
        ys = sorted({0.0, 1.0, *rows[c % len(rows)]})
        for lo, hi in itertools.pairwise(ys):
            k += 1
            cell = box(ox + a * w, oy + lo * h, ox + b * w, oy + hi * h)
            if k not in drop and cell.area > 0 and cell.is_valid:
                geoms.append(cell)
    assume(geoms)
    _check_index(geoms, np.random.default_rng(seed))


def _star(rng, cx, cy, rx, ry, n=24) -> Polygon:
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    r = rng.uniform(0.55, 1.0, n)
    return Polygon(np.c_[cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 120), urban=st.floats(0.0, 1.0))
def test_random_voronoi_city(seed, n, urban):
    """Voronoi cells (denser near the centre) clipped to an irregular city; some cells get a
    hole filled by another grid, some are merged into MultiPolygons, some are dropped."""
    rng = np.random.default_rng(seed)
    city = _star(rng, 113.65, 34.75, 0.65, 0.4)
    x0, y0, x1, y1 = city.bounds
    pts = []
    while len(pts) < n:
        if rng.random() < urban:
            x, y = rng.normal(113.66, 0.05), rng.normal(34.76, 0.04)
        else:
            x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if city.contains(Point(x, y)):
            pts.append((x, y))
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts)))
    cells = [c for c in shapely.intersection(cells, city) if not c.is_empty]
    cells = [c for c in cells if c.geom_type in ("Polygon", "MultiPolygon") and c.is_valid]
    geoms = []
    for c in cells:
        roll = rng.random()
        if roll < 0.08:
            continue  # a gap
        if roll < 0.25 and c.geom_type == "Polygon":
            centre = c.representative_point()
            inner = shapely.affinity.scale(c, 0.3, 0.3, origin=centre)
            if c.contains_properly(inner) and inner.is_valid and not inner.is_empty:
                geoms.append(c.difference(inner))
                geoms.append(inner)
                continue
        geoms.append(c)
    # Merge some pairs of disjoint grids into MultiPolygons.
    merged = []
    pending = None
    for g in geoms:
        if (
            pending is not None
            and g.geom_type == "Polygon"
            and rng.random() < 0.3
            and pending.distance(g) > 0
        ):
            merged.append(MultiPolygon([pending, g]))
            pending = None
            continue
        if pending is not None:
            merged.append(pending)
        pending = g if g.geom_type == "Polygon" else None
        if pending is None:
            merged.append(g)
    if pending is not None:
        merged.append(pending)
    merged = [g for g in merged if g.is_valid and not g.is_empty]
    assume(merged)
    _check_index(merged, rng)
