"""Grid planner (pure): parts tile the area and hold their share of the people."""

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from chengguan.org.domain.planner import (
    Surface,
    grid_count,
    out_of_tolerance,
    partition,
    partition_core_ring,
)
from chengguan.org.domain.surface import Centre, synthetic_surface

L_SHAPE = Polygon([(0, 0), (6000, 0), (6000, 2000), (2000, 2000), (2000, 6000), (0, 6000)])


def uniform_people(area, n, seed=1, per_point=30.0):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = area.bounds
    x = rng.uniform(minx, maxx, n * 4)
    y = rng.uniform(miny, maxy, n * 4)
    keep = shapely.contains_xy(area, x, y)
    x, y = x[keep][:n], y[keep][:n]
    return Surface(x, y, np.full(len(x), per_point), np.full(len(x), per_point / 3))


def test_parts_tile_the_area_without_overlap():
    people = uniform_people(L_SHAPE, 5000)
    parts = partition(L_SHAPE, people, [1.0] * 17)
    assert len(parts) == 17
    union = shapely.union_all([p.geometry for p in parts])
    assert union.symmetric_difference(L_SHAPE).area < 1e-6 * L_SHAPE.area
    assert sum(p.geometry.area for p in parts) == pytest.approx(L_SHAPE.area, rel=1e-9)


def test_equal_shares_give_equal_populations():
    people = uniform_people(L_SHAPE, 9000)  # 270,000 people
    parts = partition(L_SHAPE, people, [1.0] * 90)
    pops = np.array([p.population for p in parts])
    assert pops.sum() == pytest.approx(people.total_population)
    # Each part is within a few surface points of the 3,000 target.
    assert np.abs(pops - 3000).max() <= 5 * 30


def test_unequal_shares_are_respected_in_order():
    people = uniform_people(box(0, 0, 10_000, 4000), 8000)
    parts = partition(box(0, 0, 10_000, 4000), people, [1, 3])
    total = people.total_population
    assert parts[0].population == pytest.approx(total / 4, rel=0.01)
    assert parts[1].population == pytest.approx(3 * total / 4, rel=0.01)


def test_area_without_people_is_split_by_land():
    empty = Surface(np.empty(0), np.empty(0), np.empty(0), np.empty(0))
    parts = partition(box(0, 0, 1000, 1000), empty, [1, 1, 1, 1])
    assert [round(p.geometry.area) for p in parts] == [250_000] * 4


def test_grid_count_follows_the_larger_of_people_and_households():
    assert (
        grid_count(
            population=30_000, households=10_000, target_population=3000, target_households=1000
        )
        == 10
    )
    assert (
        grid_count(
            population=30_000, households=15_000, target_population=3000, target_households=1000
        )
        == 15
    )
    assert (
        grid_count(population=500, households=100, target_population=3000, target_households=1000)
        == 1
    )


def test_grids_outside_tolerance_are_reported():
    people = uniform_people(box(0, 0, 1000, 1000), 100, per_point=30)  # 3,000 people, 1,000 hh
    parts = partition(box(0, 0, 1000, 1000), people, [1.0, 1.0])  # two grids of ~1,500
    flagged = out_of_tolerance(parts, target_population=3000, target_households=1000, tolerance=0.3)
    assert [d.index for d in flagged] == [0, 1]
    assert (
        out_of_tolerance(parts, target_population=1500, target_households=500, tolerance=0.3) == []
    )


def test_synthetic_surface_adds_up_to_the_given_population():
    rng = np.random.default_rng(7)
    people = synthetic_surface(
        L_SHAPE,
        population=123_456,
        households=40_000,
        centres=[Centre(1000, 1000, 1, 500)],
        points=2000,
        rng=rng,
    )
    assert people.total_population == pytest.approx(123_456)
    assert people.total_households == pytest.approx(40_000)
    assert shapely.contains_xy(L_SHAPE, people.x, people.y).all()


@settings(max_examples=30, deadline=None)
@given(k=st.integers(1, 40), seed=st.integers(0, 10_000))
def test_any_number_of_parts_tiles_the_area(k, seed):
    people = uniform_people(L_SHAPE, 600, seed=seed)
    parts = partition(L_SHAPE, people, [1.0] * k)
    assert len(parts) == k
    assert sum(p.population for p in parts) == pytest.approx(people.total_population)
    assert sum(p.geometry.area for p in parts) == pytest.approx(L_SHAPE.area, rel=1e-9)


def test_core_ring_puts_core_parts_around_the_centre_and_ring_parts_outside():
    area = box(-10_000, -10_000, 10_000, 10_000)
    rng = np.random.default_rng(5)
    people = synthetic_surface(
        area,
        population=300_000,
        households=100_000,
        centres=[Centre(0, 0, 1, 2500)],
        points=6000,
        rng=rng,
    )
    parts = partition_core_ring(
        area, people, centre=(0, 0), core_shares=[1, 1, 1], ring_shares=[1, 1]
    )
    assert len(parts) == 5
    union = shapely.union_all([p.geometry for p in parts])
    assert union.symmetric_difference(area).area < 1e-6 * area.area
    assert sum(p.geometry.area for p in parts) == pytest.approx(area.area, rel=1e-6)
    centre = shapely.Point(0, 0)
    assert any(p.geometry.contains(centre) for p in parts[:3])  # the centre is urban
    assert not any(p.geometry.intersects(centre.buffer(500)) for p in parts[3:])  # towns are out
    for part in parts:  # each holds about a fifth of the people
        assert part.population == pytest.approx(60_000, rel=0.05)
        assert part.geometry.is_valid


def test_core_ring_with_only_one_kind_falls_back_to_plain_partition():
    people = uniform_people(L_SHAPE, 2000)
    parts = partition_core_ring(
        L_SHAPE, people, centre=(1000, 1000), core_shares=[1, 1], ring_shares=[]
    )
    assert len(parts) == 2
    assert sum(p.population for p in parts) == pytest.approx(people.total_population)
