"""Distances at district scale. `near` filters on an indexed lat/lon bounding box first, then orders
by an equirectangular squared distance (pure arithmetic: the same SQL on SQLite and PostgreSQL)."""

from __future__ import annotations

import math
from dataclasses import dataclass

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON_EQUATOR = 111_320.0


@dataclass(frozen=True, slots=True)
class Box:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


# Latitude bands for `near`: 1/200 degree, about 550 m. A query box covers a few bands and, within
# each, a longitude range: an index on (lat_cell, lon) reads only the entries inside the box.
LAT_CELLS_PER_DEGREE = 200
MAX_BANDS = 64  # a taller box scans the latitude range instead


def lat_cell(lat: float) -> int:
    return math.floor(lat * LAT_CELLS_PER_DEGREE)


def lat_cells(box: Box) -> list[int] | None:
    first, last = lat_cell(box.min_lat), lat_cell(box.max_lat)
    return list(range(first, last + 1)) if last - first < MAX_BANDS else None


def m_per_deg_lon(lat: float) -> float:
    return M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat))


def bounding_box(lat: float, lon: float, radius_m: float) -> Box:
    dlat = radius_m / M_PER_DEG_LAT
    dlon = radius_m / max(m_per_deg_lon(lat), 1.0)
    return Box(lat - dlat, lat + dlat, lon - dlon, lon + dlon)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def parse_point(value: str) -> tuple[float, float] | None:
    """'lat,lon' → (lat, lon), or None when it is not two finite numbers in range."""
    parts = value.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon
