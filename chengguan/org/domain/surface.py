"""Population surfaces for the grid planner.

Real use loads household points or census-block centroids (`read_surface_csv`). The demo
has no such data, so `synthetic_surface` scatters points inside an area so that they add up
to the area's known population, denser around its centres: an urban core and a few towns.
The result is plausible, deterministic for a seed, and never presented as real.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from chengguan.core.errors import DomainError, gettext_noop
from chengguan.org.domain.planner import Surface
from chengguan.org.domain.projection import LocalProjection


@dataclass(frozen=True)
class Centre:
    x: float
    y: float
    weight: float
    sigma: float


def _uniform_in(
    area: BaseGeometry, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = area.bounds
    xs, ys = [], []
    got = 0
    while got < n:
        batch = max(256, int((n - got) * 1.5 * (maxx - minx) * (maxy - miny) / max(area.area, 1)))
        x = rng.uniform(minx, maxx, batch)
        y = rng.uniform(miny, maxy, batch)
        keep = shapely.contains_xy(area, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _around(area: BaseGeometry, centre: Centre, n: int, rng: np.random.Generator):
    xs, ys = [], []
    got, tries = 0, 0
    while got < n and tries < 50:
        x = rng.normal(centre.x, centre.sigma, 2 * (n - got) + 16)
        y = rng.normal(centre.y, centre.sigma, 2 * (n - got) + 16)
        keep = shapely.contains_xy(area, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
        tries += 1
    if got < n:  # a centre at the very edge: top up uniformly
        ux, uy = _uniform_in(area, n - got, rng)
        xs.append(ux)
        ys.append(uy)
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def synthetic_surface(
    area: BaseGeometry,
    *,
    population: float,
    households: float,
    centres: Sequence[Centre],
    points: int,
    rng: np.random.Generator,
    background_share: float = 0.3,
) -> Surface:
    """`points` points in `area` (metres) carrying `population` and `households` in total."""
    if points <= 0 or area.is_empty:
        return Surface(np.empty(0), np.empty(0), np.empty(0), np.empty(0))
    n_background = int(points * background_share) if centres else points
    xs, ys = [], []
    x, y = _uniform_in(area, n_background, rng)
    xs.append(x)
    ys.append(y)
    total_weight = sum(c.weight for c in centres)
    remaining = points - n_background
    for i, centre in enumerate(centres):
        n = remaining if i == len(centres) - 1 else int(remaining * centre.weight / total_weight)
        remaining -= n if i < len(centres) - 1 else 0
        x, y = _around(area, centre, n, rng)
        xs.append(x)
        ys.append(y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    n = len(x)
    return Surface(x, y, np.full(n, population / n), np.full(n, households / n))


def read_surface_csv(text: str, projection: LocalProjection) -> Surface:
    """Household points or census blocks: columns lon, lat, households, population."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"lon", "lat", "households", "population"} - set(reader.fieldnames or [])
    if missing:
        raise DomainError(
            gettext_noop("人口分布文件缺少列：%(columns)s"), columns="、".join(sorted(missing))
        )
    lon, lat, hh, pop = [], [], [], []
    for line, row in enumerate(reader, start=2):
        try:
            values = [float(row[k]) for k in ("lon", "lat", "households", "population")]
        except (TypeError, ValueError):
            raise DomainError(
                gettext_noop("人口分布文件第 %(line)s 行不是有效数字"), line=line
            ) from None
        if not (-180 <= values[0] <= 180 and -90 <= values[1] <= 90) or min(values[2:]) < 0:
            raise DomainError(gettext_noop("人口分布文件第 %(line)s 行超出范围"), line=line)
        lon.append(values[0])
        lat.append(values[1])
        hh.append(values[2])
        pop.append(values[3])
    x, y = projection.to_metres(np.array(lon), np.array(lat))
    return Surface(x, y, np.array(pop), np.array(hh))
