"""附近已有相同问题？ over the API (issue 21): GET /api/v1/appeals/nearby and POST /api/v1/appeals/{id}/support.

What a resident may read of a neighbour's appeal is public-safe (appeals.nearby). Mounted before the appeals
router so that `/appeals/nearby` is not taken for `/appeals/{appeal_id}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from shequ.access.api import PROTECTED
from shequ.accounts.models import User
from shequ.core.api.errors import PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.types import Id
from shequ.core.errors import NotFound, ShequError
from shequ.geo.models import Area

from . import nearby
from .models import Appeal, Category

router = Router(tags=["appeals"])


class NearbyQuery(Schema):
    category: str = Field(..., description="Category code of the problem about to be reported")
    area: str | None = Field(None, description="Community (or street) code where it is")
    lat: float | None = Field(None, ge=-90, le=90, description="WGS84 latitude of the map point")
    lng: float | None = Field(None, ge=-180, le=180, description="WGS84 longitude of the map point")


class NearbyOut(Schema):
    id: int
    category: str
    place: str = Field(description="The community (the street for an anonymous appeal)")
    reported_at: datetime
    days_ago: int
    status: str = Field(description="Its state in a resident's words")
    excerpt: str = Field(description="The start of the text, every personal identifier masked")
    supporters: int = Field(description="Residents who said they met it too")
    distance_m: int | None = Field(description="About how far from the point given, when both have one")
    mine: bool
    supported: bool


class SupportOut(Schema):
    id: int
    supported: bool
    new: bool = Field(description="False when you had said so already")
    supporters: int


@router.get(
    "/appeals/nearby",
    response={200: list[NearbyOut], **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="Open appeals of the same category near a place (public-safe fields), before reporting",
)
def appeals_nearby(request: HttpRequest, q: Query[NearbyQuery]):
    category = Category.objects.filter(code=q.category, is_active=True).first()
    if category is None:
        raise ShequError(
            gettext("Choose a category from the list."), fields={"category": gettext("Unknown category.")}
        )
    area = None
    if q.area:
        area = Area.objects.filter(code=q.area).first()
        if area is None:
            raise ShequError(gettext("No area has this code."), fields={"area": q.area})
    if (q.lat is None) != (q.lng is None):
        raise ShequError(gettext("Give both lat and lng, or neither."), fields={"lat": "", "lng": ""})
    return nearby.appeal_nearby_for(
        user=cast(User, request.user), category=category, area=area, lat=q.lat, lng=q.lng
    )


@router.post(
    "/appeals/{appeal_id}/support",
    response={200: SupportOut, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="I met this too: support and follow an open appeal instead of reporting it again",
)
def support_appeal(request: HttpRequest, appeal_id: Id):
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(gettext("Not found."))
    try:
        _row, created = nearby.appeal_support(actor=cast(User, request.user), appeal=appeal)
    except ShequError as exc:
        exc.status = 409
        raise
    return {
        "id": appeal.pk,
        "supported": True,
        "new": created,
        "supporters": appeal.supporters.count(),
    }
