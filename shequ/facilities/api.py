"""Public read API of the facility registry: /api/v1/facilities (facilities are public information)."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api.errors import errors
from shequ.core.api.types import Id
from shequ.core.workdays import get_calendar
from shequ.geo.selectors import area_get

from . import selectors
from .hours import local_now
from .schemas import FacilityOut, FacilityTypeOut, facility_out, type_out

router = Router(tags=["facilities"])


class FacilityFilters(Schema):
    type: list[str] | None = None
    area: str | None = None
    near: str | None = None
    radius: str | None = None
    open_now: bool = False


@router.get(
    "/facilities/types",
    response={200: list[FacilityTypeOut], **errors()},
    auth=None,
    summary="Facility types",
)
def list_types(request: HttpRequest):
    return [type_out(t) for t in selectors.facility_types()]


@router.get(
    "/facilities",
    response={200: list[FacilityOut], **errors(404)},
    auth=None,
    summary="List or find facilities",
)
@paginate
def list_facilities(request: HttpRequest, filters: Query[FacilityFilters]):
    """Filter by `type` (repeatable), `area` (a code: everything under it), `near=lat,lng` with `radius` in metres
    (default 1200, the 15-minute walk; nearest first, with distance and walking minutes) and `open_now`."""
    point = selectors.parse_near(filters.near) if filters.near is not None else None
    radius = selectors.check_radius(filters.radius) if filters.radius is not None else 1200
    area = area_get(code=filters.area) if filters.area else None
    now = local_now()
    found = selectors.facility_search(
        types=filters.type,
        area=area,
        point=point,
        radius_m=radius,
        open_only=filters.open_now,
        when=now,
        limit=selectors.MAX_LIMIT * 5,
    )
    calendar = get_calendar()
    return [facility_out(f, now=now, calendar=calendar, distance_m=d) for f, d in found]


@router.get(
    "/facilities/{facility_id}", response={200: FacilityOut, **errors(404)}, auth=None, summary="One facility"
)
def get_facility(request: HttpRequest, facility_id: Id):
    f = selectors.facility_get(pk=facility_id)
    return facility_out(f, now=local_now(), calendar=get_calendar())
