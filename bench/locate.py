"""Benchmark: point → grid lookup (chengguan.core.geoindex.GridIndex) against its peers.

    cd /work/main && .venv/bin/python bench/locate.py [--quick]

Synthetic but city-like grids: a Voronoi partition of an irregular city polygon around
(113.65°E, 34.75°N), about 1.3° × 0.8°, with seed points denser in an urban core (a
Gaussian) than in the countryside (uniform), so urban grids are small and rural ones large;
1,000, 10,000 and 70,818 grids (Zhengzhou has 70,818). Query points are distributed like
the population: mostly urban, some rural, a few outside the city.

Peers, on the same points in the same run: a naive Python loop over the polygons with
shapely's `contains_xy` (small sample), shapely's STRtree (bulk: one `query(points,
predicate="within")`; single: `query(Point(x, y), predicate="within")`), and PostGIS
`ST_Contains` with a GiST index when a local PostgreSQL has PostGIS (it is not installed
here, then it is skipped). Our answers are checked against STRtree's.

Targets: ≥ 1,000,000 bulk lookups/s and ≤ 5 µs per single lookup at 70,818 grids.
"""

import argparse
import gc
import math
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from chengguan.core.geoindex import GridIndex

CENTRE = (113.65, 34.75)
URBAN = ((113.66, 0.07), (34.76, 0.05))  # (mean, sigma) of lon and lat in the urban core
SIZES = (1_000, 10_000, 70_818)
BULK_TARGET = 1_000_000  # lookups per second
SINGLE_TARGET = 5.0  # µs per lookup
POSTGIS_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


# -- synthetic city ---------------------------------------------------------------------


def city_boundary(rng: np.random.Generator) -> Polygon:
    """An irregular (wobbly, partly concave) city outline, ~1.3° × 0.8°."""
    n = 180
    t = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 9):
        r += rng.normal(0.0, 0.12 / k) * np.cos(k * t + rng.uniform(0.0, 2.0 * math.pi))
    r += rng.normal(0.0, 0.015, n)
    r = np.clip(r, 0.55, 1.0)
    return Polygon(np.c_[CENTRE[0] + 0.65 * r * np.cos(t), CENTRE[1] + 0.40 * r * np.sin(t)])


def mixture(rng: np.random.Generator, n: int, urban: float, bounds) -> tuple:
    x0, y0, x1, y1 = bounds
    is_urban = rng.random(n) < urban
    xs = np.where(is_urban, rng.normal(URBAN[0][0], URBAN[0][1], n), rng.uniform(x0, x1, n))
    ys = np.where(is_urban, rng.normal(URBAN[1][0], URBAN[1][1], n), rng.uniform(y0, y1, n))
    return xs, ys


def make_grids(n: int, seed: int) -> tuple[Polygon, np.ndarray]:
    """n grids: Voronoi cells of n seeds inside the city, clipped to it."""
    rng = np.random.default_rng(seed)
    city = city_boundary(rng)
    shapely.prepare(city)
    seeds = []
    have = 0
    while have < n:
        xs, ys = mixture(rng, 2 * (n - have), 0.6, city.bounds)
        keep = shapely.contains_xy(city, xs, ys)
        seeds.append(np.c_[xs[keep], ys[keep]][: n - have])
        have += len(seeds[-1])
    pts = np.concatenate(seeds)
    frame = shapely.box(*shapely.buffer(city, 0.1).bounds)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame))
    grids = shapely.intersection(cells, city)
    grids = grids[~shapely.is_empty(grids)]
    assert len(grids) == n, (len(grids), n)
    return city, grids


def make_queries(city: Polygon, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Like the population: 85 % urban core, 15 % anywhere in the city's bounding box."""
    rng = np.random.default_rng(seed)
    return mixture(rng, n, 0.85, city.bounds)


# -- timing helpers ---------------------------------------------------------------------


def best_of(repeat: int, fn):
    best = math.inf
    result = None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def scalar_timing(fn, xs: list[float], ys: list[float], batch: int = 10) -> tuple:
    """Mean µs per call over all points, and p95/p99 of per-call µs over batches of `batch`."""
    for x, y in zip(xs[:2000], ys[:2000], strict=True):  # warm up
        fn(x, y)
    gc.collect()
    gc.disable()
    try:
        clock = time.perf_counter_ns
        per_call = []
        started = time.perf_counter()
        for at in range(0, len(xs), batch):
            bx = xs[at : at + batch]
            by = ys[at : at + batch]
            t0 = clock()
            for x, y in zip(bx, by, strict=True):
                fn(x, y)
            per_call.append((clock() - t0) / 1000.0 / len(bx))
        total = time.perf_counter() - started
    finally:
        gc.enable()
    mean = total / len(xs) * 1e6
    return mean, float(np.percentile(per_call, 95)), float(np.percentile(per_call, 99))


def strtree_answers(tree: shapely.STRtree, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Index of the one polygon a point is within; -1 if none, -2 if several (a border)."""
    pairs = tree.query(shapely.points(xs, ys), predicate="within")
    out = np.full(xs.size, -1, dtype=np.int64)
    out[pairs[0]] = pairs[1]
    several = np.bincount(pairs[0], minlength=xs.size) > 1
    out[several] = -2
    return out


# -- PostGIS (optional) -----------------------------------------------------------------


def postgis_peer(grids: np.ndarray, xs: np.ndarray, ys: np.ndarray, n_single: int):
    """(bulk lookups/s, single µs, answers) with ST_Contains + GiST, or a reason to skip."""
    try:
        import psycopg
    except ImportError:
        return "psycopg missing"
    try:
        admin = psycopg.connect(POSTGIS_DSN, connect_timeout=3, autocommit=True)
    except Exception as error:  # any failure means: skip
        return f"no database ({type(error).__name__})"
    scratch = f"geoindex_bench_{os.getpid()}"
    try:
        with admin:
            row = admin.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
            ).fetchone()
            if row is None:
                return "not installed"
            admin.execute(f'CREATE DATABASE "{scratch}"')
            try:
                dsn = POSTGIS_DSN.rsplit("/", 1)[0] + "/" + scratch
                with psycopg.connect(dsn, autocommit=True) as db:
                    db.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                    db.execute("CREATE TABLE grids (id integer PRIMARY KEY, geom geometry)")
                    with db.cursor() as cur, cur.copy("COPY grids (id, geom) FROM STDIN") as cp:
                        for i, wkb in enumerate(
                            shapely.to_wkb(
                                shapely.set_srid(grids, 4326), hex=True, include_srid=True
                            )
                        ):
                            cp.write_row((i, wkb))
                    db.execute("CREATE INDEX ON grids USING gist (geom)")
                    db.execute("ANALYZE grids")
                    started = time.perf_counter()
                    rows = db.execute(
                        "SELECT p.i, g.id FROM unnest(%s::float8[], %s::float8[])"
                        " WITH ORDINALITY AS p(x, y, i) JOIN grids g"
                        " ON ST_Contains(g.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))",
                        (xs.tolist(), ys.tolist()),
                    ).fetchall()
                    bulk = xs.size / (time.perf_counter() - started)
                    answers = np.full(xs.size, -1, dtype=np.int64)
                    for i, gid in rows:
                        answers[i - 1] = gid
                    query = (
                        "SELECT id FROM grids WHERE"
                        " ST_Contains(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) LIMIT 1"
                    )
                    with db.cursor() as cur:
                        cur.execute(query, (float(xs[0]), float(ys[0])), prepare=True)
                        started = time.perf_counter()
                        for x, y in zip(
                            xs[:n_single].tolist(), ys[:n_single].tolist(), strict=True
                        ):
                            cur.execute(query, (x, y), prepare=True)
                            cur.fetchone()
                        single = (time.perf_counter() - started) / n_single * 1e6
                    return bulk, single, answers
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    except Exception as error:  # e.g. CREATE EXTENSION not permitted
        return f"unusable ({type(error).__name__}: {str(error).strip().splitlines()[0]})"
    finally:
        admin.close()


# -- one size ---------------------------------------------------------------------------


def run(n: int, quick: bool, seed: int) -> dict:
    n_bulk = 200_000 if quick else 1_000_000
    n_single = 20_000 if quick else 100_000
    n_tree_single = 5_000 if quick else 20_000
    n_naive = {1_000: 2_000, 10_000: 500}.get(n, 200) // (10 if quick else 1)
    print(f"\n== {n:,} grids " + "=" * 60)
    started = time.perf_counter()
    city, grids = make_grids(n, seed)
    xs, ys = make_queries(city, n_bulk, seed + 1)
    print(
        f"synthetic city: {n:,} Voronoi grids, {n_bulk:,} query points"
        f" (made in {time.perf_counter() - started:.1f} s)"
    )
    # The peers get their own (unprepared) copies: GridIndex prepares its geometries.
    peer_grids = shapely.from_wkb(shapely.to_wkb(grids))
    entries = [(i, g) for i, g in enumerate(grids)]

    builds = []
    for _ in range(1 if quick else 3):
        gc.collect()
        started = time.perf_counter()
        index = GridIndex(entries, version=1)
        builds.append(time.perf_counter() - started)
    s = index.stats
    print(
        f"ours: build {builds[0]:.2f} s (best of {len(builds)}: {min(builds):.2f} s);"
        f" {s.vertices:,} vertices; {s.coarse_cells:,} coarse + {s.fine_cells:,} fine cells,"
        f" {s.table_bytes / 1e6:.1f} MB; covered area: {s.split_share:.1%} split cells,"
        f" {s.ambiguous_share:.1%} candidate cells ({s.candidates_per_ambiguous:.2f} each)"
    )

    t_ours, ours = best_of(1 if quick else 3, lambda: index.locate_many(xs, ys))
    bulk_ours = n_bulk / t_ours
    xl = xs[:n_single].tolist()
    yl = ys[:n_single].tolist()
    single_ours, p95_ours, p99_ours = scalar_timing(index.locate_index, xl, yl)
    single_answers = np.array([index.locate_index(x, y) for x, y in zip(xl, yl, strict=True)])
    print(
        f"ours: bulk {bulk_ours:,.0f} lookups/s; single {single_ours:.2f} µs mean,"
        f" p95 {p95_ours:.2f} µs, p99 {p99_ours:.2f} µs (batches of 10 calls)"
    )

    started = time.perf_counter()
    tree = shapely.STRtree(peer_grids)
    tree_build = time.perf_counter() - started
    t_tree, tree_ans = best_of(1, lambda: strtree_answers(tree, xs, ys))
    bulk_tree = n_bulk / t_tree
    tx = xs[:n_tree_single].tolist()
    ty = ys[:n_tree_single].tolist()
    single_tree, p95_tree, _ = scalar_timing(
        lambda x, y: tree.query(Point(x, y), predicate="within"), tx, ty
    )
    print(
        f"STRtree: build {tree_build:.2f} s; bulk {bulk_tree:,.0f} lookups/s;"
        f" single {single_tree:.2f} µs mean, p95 {p95_tree:.2f} µs"
    )

    def naive(x: float, y: float) -> int:
        for k, g in enumerate(peer_grids):
            if shapely.contains_xy(g, x, y):
                return k
        return -1

    nx_ = xs[:n_naive].tolist()
    ny_ = ys[:n_naive].tolist()
    started = time.perf_counter()
    naive_ans = np.array([naive(x, y) for x, y in zip(nx_, ny_, strict=True)])
    single_naive = (time.perf_counter() - started) / n_naive * 1e6
    print(f"naive loop over polygons (contains_xy): {single_naive:,.0f} µs per lookup")

    # Agreement (points in exactly one polygon; a random point on a border is improbable).
    clear = tree_ans != -2
    agree_bulk = int((ours[clear] == tree_ans[clear]).sum())
    agree_single = int((single_answers == ours[:n_single]).sum())
    agree_naive = int((naive_ans == ours[:n_naive]).sum())
    print(
        f"check: bulk = STRtree on {agree_bulk:,}/{int(clear.sum()):,} points"
        f" ({int((~clear).sum())} on a border skipped); single = bulk on"
        f" {agree_single:,}/{n_single:,}; naive = ours on {agree_naive}/{n_naive};"
        f" {float((ours >= 0).mean()):.1%} of points in a grid"
    )
    ok = agree_bulk == int(clear.sum()) and agree_single == n_single and agree_naive == n_naive

    pg = postgis_peer(peer_grids, xs[:100_000], ys[:100_000], 2_000 if not quick else 200)
    if isinstance(pg, str):
        print(f"PostGIS: {pg}, skipped")
        pg_bulk = pg_single = None
    else:
        pg_bulk, pg_single, pg_ans = pg
        agree_pg = int((pg_ans == ours[:100_000]).sum())
        print(
            f"PostGIS ST_Contains + GiST: bulk {pg_bulk:,.0f} lookups/s, single"
            f" {pg_single:.0f} µs; agrees on {agree_pg:,}/{min(100_000, n_bulk):,}"
        )
    return {
        "n": n,
        "build": builds[0],
        "build_best": min(builds),
        "bulk": bulk_ours,
        "single": single_ours,
        "p95": p95_ours,
        "tree_bulk": bulk_tree,
        "tree_single": single_tree,
        "naive": single_naive,
        "pg_bulk": pg_bulk,
        "pg_single": pg_single,
        "ok": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer points (about a minute)")
    parser.add_argument("--seed", type=int, default=2017)
    args = parser.parse_args()
    started = time.perf_counter()
    print(
        f"Python {platform.python_version()}, shapely {shapely.__version__} (GEOS"
        f" {shapely.geos_version_string}), numpy {np.__version__}; {os.cpu_count()} CPUs;"
        f" {'quick' if args.quick else 'full'} run. Wall-clock timings, single process."
    )
    rows = [run(n, args.quick, args.seed) for n in SIZES]

    def rate(v):
        return "-" if v is None else f"{v / 1e6:.2f} M/s"

    def us(v):
        return "-" if v is None else f"{v:,.2f}"

    print("\n== summary " + "=" * 68)
    head = (
        f"{'grids':>7} {'build s 1st/best':>16} {'bulk':>10} {'single µs':>10} {'p95 µs':>7}"
        f" | {'STRtree bulk':>12} {'single µs':>10} | {'naive µs':>10} | {'PostGIS':>9}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        pg = "skipped" if r["pg_bulk"] is None else f"{r['pg_single']:.0f} µs"
        print(
            f"{r['n']:>7,} {r['build']:>10.2f}/{r['build_best']:<5.2f} {rate(r['bulk']):>10}"
            f" {us(r['single']):>10} {us(r['p95']):>7} | {rate(r['tree_bulk']):>12} {us(r['tree_single']):>10}"
            f" | {r['naive']:>10,.0f} | {pg:>9}"
        )
    big = rows[-1]
    bulk_ok = big["bulk"] >= BULK_TARGET
    single_ok = big["single"] <= SINGLE_TARGET
    print(
        f"\ntargets at {big['n']:,} grids: bulk ≥ {BULK_TARGET:,}/s:"
        f" {big['bulk']:,.0f}/s {'PASS' if bulk_ok else 'FAIL'};"
        f" single ≤ {SINGLE_TARGET:g} µs: {big['single']:.2f} µs"
        f" {'PASS' if single_ok else 'FAIL'}"
    )
    print(
        f"speed-up over STRtree at {big['n']:,} grids: bulk"
        f" ×{big['bulk'] / big['tree_bulk']:.1f}, single ×{big['tree_single'] / big['single']:.1f}"
    )
    correct = all(r["ok"] for r in rows)
    print(f"answers: {'all agree with the peers' if correct else 'DISAGREEMENT (see above)'}")
    print(f"total run time {time.perf_counter() - started:.0f} s")
    return 0 if correct and bulk_ok and single_ok else 1


if __name__ == "__main__":
    sys.exit(main())
