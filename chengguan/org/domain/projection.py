"""A local equirectangular projection: lon/lat degrees ↔ metres around a city centre.

Good to well under 1% over a city's extent, which is all grid planning needs (it balances
people, it does not survey land), and it keeps shapely free of a projection library.
"""

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_EQUATOR = 111_320.0


@dataclass(frozen=True)
class LocalProjection:
    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(self.lat0))

    def to_metres(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (np.asarray(lon) - self.lon0) * self.kx, (
            np.asarray(lat) - self.lat0
        ) * METRES_PER_DEGREE_LAT

    def to_degrees(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(x) / self.kx + self.lon0, np.asarray(
            y
        ) / METRES_PER_DEGREE_LAT + self.lat0

    def geometry_to_metres(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda c: np.column_stack(self.to_metres(c[:, 0], c[:, 1])))

    def geometry_to_degrees(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geom, lambda c: np.column_stack(self.to_degrees(c[:, 0], c[:, 1])))

    def area_km2(self, geom_degrees: BaseGeometry) -> float:
        return self.geometry_to_metres(geom_degrees).area / 1e6
