"""Reads of the facility registry. Facilities are public information: no scoping, no personal data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shequ.core.errors import NotFound, ShequError
from shequ.core.workdays import WorkCalendar, get_calendar
from shequ.geo.models import Area

from .choices import walk_minutes
from .geodesy import bounding_box, haversine_m
from .hours import Schedule
from .models import Facility, FacilityType

MAX_RADIUS_M = 20_000
MAX_LIMIT = 200


@dataclass
class Nearby:
    facility: Facility
    distance_m: float

    @property
    def walk_minutes(self) -> int:
        return walk_minutes(self.distance_m)


def _base(types: Iterable[str] | None) -> QuerySet[Facility]:
    qs = Facility.objects.filter(is_active=True).select_related("type", "area")
    codes = [t for t in (types or []) if t]
    if codes:
        qs = qs.filter(type__code__in=codes)
    return qs


def facility_types() -> QuerySet[FacilityType]:
    return FacilityType.objects.filter(is_active=True).order_by("sort", "code")


def facilities_near(
    *, lat: float, lng: float, radius_m: float, types: Iterable[str] | None = None, limit: int = 50
) -> list[Nearby]:
    """Active facilities within radius_m of (lat, lng), nearest first.

    One query: the bounding box is cut on the (lat, lng) index, then exact haversine distances are computed on
    the rows inside the box (a box holds at most a few hundred facilities even in the densest district), the
    corners outside the circle dropped, and the nearest `limit` kept.
    """
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
    rows = _base(types).filter(lat__range=(min_lat, max_lat), lng__range=(min_lng, max_lng))
    found = []
    for f in rows:
        d = haversine_m(lat, lng, f.lat, f.lng)
        if d <= radius_m:
            found.append(Nearby(f, d))
    found.sort(key=lambda n: (n.distance_m, n.facility.pk))
    return found[:limit]


def facilities_in(area: Area, *, types: Iterable[str] | None = None) -> QuerySet[Facility]:
    """Active facilities anywhere under the area: one prefix scan of the area path index."""
    return _base(types).filter(area__path__prefix=area.path).order_by("type__sort", "name", "pk")


def facility_get(*, pk: int) -> Facility:
    facility = _base(None).filter(pk=pk).first()
    if facility is None:
        raise NotFound(_("No facility with this id."))
    return facility


def schedule_of(facility: Facility) -> Schedule:
    return Schedule(hours=facility.hours or {}, holiday_rule=facility.holiday_rule)


def open_now(facility: Facility, *, when: datetime, calendar: WorkCalendar | None = None) -> bool:
    return schedule_of(facility).is_open(when, calendar or get_calendar())


def parse_point(lat: object, lng: object, *, field: str = "near") -> tuple[float, float]:
    """A WGS84 point from text, or ShequError naming the field: the same check for the API and the page."""
    try:
        la, ln = float(str(lat)), float(str(lng))
    except ValueError:
        raise ShequError(
            _("The location must be two numbers: latitude,longitude."),
            code="invalid",
            fields={field: "format"},
        ) from None
    if not (-90 <= la <= 90) or la != la:
        raise ShequError(
            _("Latitude must be between -90 and 90."), code="invalid", fields={field: "latitude"}
        )
    if not (-180 <= ln <= 180) or ln != ln:
        raise ShequError(
            _("Longitude must be between -180 and 180."), code="invalid", fields={field: "longitude"}
        )
    return la, ln


def parse_near(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise ShequError(
            _("The location must be two numbers: latitude,longitude."),
            code="invalid",
            fields={"near": "format"},
        )
    return parse_point(parts[0].strip(), parts[1].strip())


def check_radius(radius_m: object) -> int:
    try:
        r = int(str(radius_m))
    except ValueError:
        r = -1
    if not (1 <= r <= MAX_RADIUS_M):
        raise ShequError(
            _("The radius must be a whole number of metres from 1 to %(max)d.") % {"max": MAX_RADIUS_M},
            code="invalid",
            fields={"radius": str(radius_m)[:20]},
        )
    return r


def facility_search(
    *,
    types: Iterable[str] | None = None,
    area: Area | None = None,
    point: tuple[float, float] | None = None,
    radius_m: int = 1200,
    open_only: bool = False,
    when: datetime | None = None,
    limit: int = 50,
) -> list[tuple[Facility, float | None]]:
    """What the list page and the API show: near a point (nearest first, optionally inside an area too), or
    everything in an area; optionally only those open at `when`. A constant number of queries."""
    found: list[tuple[Facility, float | None]]
    if point is not None:
        found = [
            (n.facility, n.distance_m)
            for n in facilities_near(
                lat=point[0], lng=point[1], radius_m=radius_m, types=types, limit=MAX_LIMIT * 5
            )
        ]
        if area is not None:
            found = [(f, d) for f, d in found if f.area.path.startswith(area.path)]
    elif area is not None:
        found = [(f, None) for f in facilities_in(area, types=types)[: MAX_LIMIT * 5]]
    else:
        found = [(f, None) for f in _base(types).order_by("type__sort", "name", "pk")[: MAX_LIMIT * 5]]
    if open_only:
        if when is None:
            raise ValueError("open_only needs `when`")
        calendar = get_calendar()
        found = [(f, d) for f, d in found if schedule_of(f).is_open(when, calendar)]
    return found[:limit]
