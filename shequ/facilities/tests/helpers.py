"""Facilities for tests, created through the real service."""

from __future__ import annotations

import math

from shequ.facilities.services import FacilityData, facility_create
from shequ.geo.models import Area

# 华富街道's pack point (approximate, but a fixed origin is all the tests need).
ORIGIN = (22.557953, 114.074874)
WEEKDAYS_9_TO_5 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def north_of(metres: float, origin: tuple[float, float] = ORIGIN) -> tuple[float, float]:
    return origin[0] + metres / 111_195.0, origin[1]


def east_of(metres: float, origin: tuple[float, float] = ORIGIN) -> tuple[float, float]:
    return origin[0], origin[1] + metres / (111_195.0 * math.cos(math.radians(origin[0])))


def community(street: str = "华富街道", district: str = "440304", n: int = 0) -> Area:
    return Area.objects.filter(parent__parent__code=district, parent__name=street).order_by("code")[n]


def make_facility(
    name: str, point: tuple[float, float], *, type: str = "health", area: Area | None = None, **kw
):
    area = area or community()
    return facility_create(
        actor=None,
        data=FacilityData(
            name=name,
            type=type,
            area=area.code,
            lat=point[0],
            lng=point[1],
            address=kw.pop("address", "测试地址1号"),
            phone=kw.pop("phone", "0755-83451234"),
            hours=kw.pop("hours", WEEKDAYS_9_TO_5),
            **kw,
        ),
    )
