"""/api/v1/needs, /api/v1/resources, /api/v1/meetings: the three lists and meetings. Lists are public (no personal
data); posting a need needs a sign-in, convening a meeting the participation grant of the community. Every POST
honours Idempotency-Key: a retry returns the first result and creates nothing twice."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, JsonResponse
from ninja import Router

from shequ.access.api import PROTECTED
from shequ.accounts.models import User
from shequ.core.api.errors import CREATE, PROTECTED_WRITE, errors
from shequ.core.idempotency import run_once
from shequ.geo.models import Area

from . import selectors, services
from .models import Meeting, Need, Resource
from .schemas import MeetingIn, MeetingOut, NeedIn, NeedOut, ResourceOut

router = Router(tags=["participation"])
MAX_LIMIT = 200


def _area(code: str | None) -> Area | None:
    if not code:
        return None
    from shequ.core.errors import NotFound

    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound("No area has this code.", fields={"area": "unknown"})
    return area


def need_out(n: Need) -> dict:
    return {
        "id": n.pk,
        "number": n.number,
        "title": n.title,
        "description": n.description,
        "area": {"code": n.area.code, "name": n.area.name},
        "category": {"code": n.category.code, "name": n.category.name},
        "source": n.source,
        "source_label": str(n.get_source_display()),
        "status": n.status,
        "status_label": str(n.get_status_display()),
        "created_at": n.created_at,
        "responded_at": n.responded_at,
        "response_hours": n.response_hours,
        "matches": [
            {
                "resource": m.resource.name if m.resource else None,
                "project": m.project.title if m.project else None,
                "reply": m.reply,
                "matched_at": m.matched_at,
            }
            for m in n.matches.all()
        ],
    }


def resource_out(r: Resource) -> dict:
    return {
        "id": r.pk,
        "name": r.name,
        "kind": r.kind,
        "kind_label": str(r.get_kind_display()),
        "description": r.description,
        "contact": r.contact,
        "area": {"code": r.area.code, "name": r.area.name},
        "category": {"code": r.category.code, "name": r.category.name},
        "linked": f"{r.link_kind}:{r.link_id}" if r.link_kind else None,
    }


def meeting_out(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": str(m.get_kind_display()),
        "title": m.title,
        "agenda": m.agenda,
        "place": m.place,
        "starts_at": m.starts_at,
        "ends_at": m.ends_at,
        "status": m.status,
        "area": {"code": m.area.code, "name": m.area.name},
        "minutes": m.minutes,
        "decisions": [
            {
                "text": d.text,
                "follow_up": d.follow_up,
                "status": d.status,
                "outcome": d.outcome,
                "project_id": d.project_id,
                "need_id": d.need_id,
                "appeal_number": d.appeal_number,
            }
            for d in m.decisions.all()
        ],
    }


@router.get(
    "/needs", response={200: list[NeedOut], **errors(404)}, auth=None, summary="A community's need list"
)
def list_needs(request: HttpRequest, area: str | None = None, status: str | None = None, limit: int = 50):
    """Public: the needs of an area (and below), newest first, without who posted them."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = selectors.need_list_public(area=_area(area), status=status).prefetch_related(
        "matches__resource", "matches__project"
    )
    return [need_out(n) for n in qs[:limit]]


def _post_need(request: HttpRequest, data: NeedIn) -> tuple[int, dict]:
    need = services.need_post(
        actor=cast(User, request.user),
        area=services.community_by_code(data.area),
        category=services.category_by_code(data.category),
        title=data.title,
        description=data.description,
        source=data.source,
        source_ref=data.source_ref,
    )
    need = selectors.need_get_public(pk=need.pk)
    return 201, NeedOut.model_validate(need_out(need)).model_dump(mode="json")


@router.post(
    "/needs",
    response={201: NeedOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Post a need",
)
def post_need(request: HttpRequest, payload: NeedIn):
    """A resident posts his own need; staff record one from a survey, the appeals' top problems or a grid visit
    in their communities. Repeat with the same Idempotency-Key to get the first result back."""
    status, body, replayed = run_once(request, lambda: _post_need(request, payload))
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/resources",
    response={200: list[ResourceOut], **errors(404)},
    auth=None,
    summary="A community's resources",
)
def list_resources(request: HttpRequest, area: str | None = None, kind: str | None = None, limit: int = 50):
    limit = max(1, min(limit, MAX_LIMIT))
    return [resource_out(r) for r in selectors.resource_list_public(area=_area(area), kind=kind)[:limit]]


@router.get("/meetings", response={200: list[MeetingOut], **errors(404)}, auth=None, summary="Meetings")
def list_meetings(request: HttpRequest, area: str | None = None, limit: int = 50):
    """Public: meetings of an area with their agenda, minutes once published, and decisions."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = selectors.meeting_list_public(area=_area(area)).prefetch_related("decisions")
    return [meeting_out(m) for m in qs[:limit]]


def _post_meeting(request: HttpRequest, data: MeetingIn) -> tuple[int, dict]:
    meeting = services.meeting_create(
        actor=cast(User, request.user),
        area=services.community_by_code(data.area),
        kind=data.kind,
        title=data.title,
        agenda=data.agenda,
        place=data.place,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
    )
    return 201, MeetingOut.model_validate(meeting_out(meeting)).model_dump(mode="json")


@router.post(
    "/meetings",
    response={201: MeetingOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Convene a meeting",
)
def post_meeting(request: HttpRequest, payload: MeetingIn):
    """Staff with the participation grant of the community; elsewhere the community is not found (404).
    Repeat with the same Idempotency-Key to get the first result back."""
    status, body, replayed = run_once(request, lambda: _post_meeting(request, payload))
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
