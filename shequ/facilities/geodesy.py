"""Distances on the WGS84 sphere for "near me": a bounding box to cut with the index, haversine to sort."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) containing every point within radius_m of (lat, lng).

    The longitude span widens with latitude (cos of the edge nearer the pole, so the box is never too small);
    near a pole or the antimeridian it gives up and spans every longitude, which is merely slower.
    """
    dlat = radius_m / METRES_PER_DEGREE_LAT
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    cos_edge = math.cos(math.radians(max(abs(min_lat), abs(max_lat))))
    if cos_edge < 1e-6:
        return min_lat, max_lat, -180.0, 180.0
    dlng = radius_m / (METRES_PER_DEGREE_LAT * cos_edge)
    if lng - dlng < -180 or lng + dlng > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lng - dlng, lng + dlng
