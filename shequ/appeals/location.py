"""Where an appeal is: an area code given, or a WGS84 point located in a district by its boundary.

District boundaries are the city pack's polygons (shapely, prepared once per process). Below district level there
are no boundaries in any source we may use, so a point resolves to its district and says so (`precision`).
"""

from __future__ import annotations

from functools import lru_cache

from shapely.geometry import Point, shape
from shapely.prepared import prep

from shequ.geo.models import Area
from shequ.geo.selectors import area_by_code


@lru_cache(maxsize=1)
def _district_shapes() -> list[tuple[str, object]]:
    return [
        (a.code, prep(shape(a.boundary)))
        for a in Area.objects.filter(level="district", boundary__isnull=False)
    ]


def forget_shapes() -> None:
    _district_shapes.cache_clear()


def district_for_point(lat: float, lng: float) -> Area | None:
    point = Point(lng, lat)
    for code, geom in _district_shapes():
        if geom.contains(point):  # type: ignore[attr-defined]
            return area_by_code(code)
    return None


def resolve(*, area: Area | None, lat: float | None, lng: float | None) -> tuple[Area, str]:
    if area is not None:
        return area, "area"
    if lat is not None and lng is not None:
        district = district_for_point(lat, lng)
        if district is not None:
            return district, "district"
    return Area.objects.get(level="city"), "city"
