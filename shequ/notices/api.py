"""Public read API of the notice board: /api/v1/notices. Published notices are public, like a community's notice
board (the pages /notices/ show the same); the author, a member of staff, is not part of the answer."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from shequ.core.api.errors import errors
from shequ.core.api.types import Id
from shequ.geo.selectors import area_get

from . import selectors
from .models import Notice

router = Router(tags=["notices"])

MAX_NOTICES = 200  # the newest of what a resident's board shows, before paging


class NoticeAreaOut(Schema):
    code: str
    name: str
    level: str


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    area: NoticeAreaOut
    published_at: datetime
    expires_at: datetime | None
    pinned: bool
    synthetic: bool


def notice_out(n: Notice) -> dict:
    return {
        "id": n.pk,
        "title": n.title,
        "body": n.body,
        "area": {"code": n.area.code, "name": n.area.name, "level": n.area.level},
        "published_at": n.published_at,
        "expires_at": n.expires_at,
        "pinned": n.pinned,
        "synthetic": n.synthetic,
    }


@router.get(
    "/notices",
    response={200: list[NoticeOut], **errors(404)},
    auth=None,
    summary="Notices a resident of an area reads",
)
@paginate
def list_notices(request: HttpRequest, area: str | None = None):
    """Published, unexpired, not withdrawn notices: with `area` (a code), those of the area, of every area above
    it and of the areas under it; without it, the city-wide ones. Pinned first, then newest first."""
    place = area_get(code=area) if area else None
    notices = selectors.notices_for_area(area=place, now=timezone.now(), limit=MAX_NOTICES)
    return [notice_out(n) for n in notices]


@router.get(
    "/notices/{notice_id}",
    response={200: NoticeOut, **errors(404)},
    auth=None,
    summary="One published notice",
)
def get_notice(request: HttpRequest, notice_id: Id):
    """A withdrawn, expired or not yet published notice answers 404, like one that never existed."""
    return notice_out(selectors.notice_get_public(pk=notice_id, now=timezone.now()))
