"""/api/v1/appeals: list, detail, create (with Idempotency-Key) and actions; /api/v1/appeals/kpis."""

from datetime import date, datetime, time
from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shequ.access.api import PROTECTED, OptionalAuth
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.api.errors import CREATE, PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.pagination import CappedPage, MappedQuerySet
from shequ.core.api.types import Day, Id
from shequ.core.errors import NotFound, ShequError
from shequ.core.idempotency import run_once

from . import schemas, selectors, services
from .choices import Channel
from .schemas import (
    ActionIn,
    AppealCreated,
    AppealDetail,
    AppealIn,
    AppealOut,
    appeal_detail_out,
    appeal_out,
)
from .workflow import ACTIONS

router = Router(tags=["appeals"])


class AppealFilters(Schema):
    status: str | None = None
    category: str | None = None
    area: str | None = None
    unit: str | None = None
    channel: str | None = None
    urgency: str | None = None
    queue: str | None = None
    q: str | None = None
    created_from: Day | None = None
    created_to: Day | None = None
    mine: bool = False


def _day_start(d: date | None) -> datetime | None:
    return timezone.make_aware(datetime.combine(d, time.min)) if d else None


@router.get(
    "/appeals",
    response={200: list[AppealOut], **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="List appeals you may see",
)
@paginate(CappedPage)
def list_appeals(request: HttpRequest, filters: Query[AppealFilters]):
    if not selectors.appeal_may_list(user=request.user):
        raise PermissionDenied(gettext("You have no appeals to see."))
    f = filters.dict()
    f["created_from"] = _day_start(f["created_from"])
    f["created_to"] = _day_start(f["created_to"])
    now = timezone.now()
    # Counted up to selectors.COUNT_CAP (count_capped says there are more): issue 22.
    return MappedQuerySet(
        selectors.appeal_listing_for(user=request.user, **f), lambda a: appeal_out(a, now=now)
    )


def _intake(request: HttpRequest, data: AppealIn, photos: list) -> tuple[int, dict]:
    user = cast(User, request.user) if request.user.is_authenticated else None
    channel = data.channel
    if user is None and channel not in (Channel.PORTAL, Channel.API):
        raise ShequError(gettext("Sign in to use this channel."), fields={"channel": channel})
    intake = services.IntakeData(
        text=data.text,
        channel=channel,
        category=data.category,
        lat=data.lat,
        lng=data.lng,
        address=data.address,
        area=data.area,
        contact_phone=data.contact_phone,
        contact_name=data.contact_name,
        urgency=data.urgency,
        anonymous=data.anonymous,
        attributes=data.attributes,
    )
    # A resident submits for himself; staff on the hotline or a patrol record on behalf of someone else.
    requester = user if user is not None and channel in (Channel.PORTAL, Channel.API) else None
    appeal = services.appeal_submit(actor=user, data=intake, requester=requester, photos=photos)
    body = {
        "id": appeal.pk,
        "number": appeal.number,
        "status": appeal.status,
        "urgency": appeal.urgency,
        "urgency_reason": appeal.urgency_reason,
        "area": appeal.area.code,
        "lead_unit": appeal.lead_unit.code if appeal.lead_unit else None,
        "reply_due": appeal.reply_due.isoformat() if appeal.reply_due else None,
    }
    return 201, body


@router.post(
    "/appeals",
    response={201: AppealCreated, **errors(401, 403, *CREATE)},
    auth=OptionalAuth,
    summary="Submit an appeal",
)
def create_appeal(request: HttpRequest, payload: AppealIn):
    """JSON body. Repeat with the same `Idempotency-Key` header to get the first result back."""
    status, body, replayed = run_once(request, lambda: _intake(request, payload, []))
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.post(
    "/appeals/with-photos",
    response={201: AppealCreated, **errors(401, 403, *CREATE)},
    auth=OptionalAuth,
    summary="Submit with photos",
)
def create_appeal_with_photos(
    request: HttpRequest, payload: Form[AppealIn], photos: File[list[UploadedFile]]
):
    status, body, replayed = run_once(request, lambda: _intake(request, payload, list(photos)))
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/appeals/{appeal_id}",
    response={200: AppealDetail, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="One appeal with its timeline",
)
def get_appeal(request: HttpRequest, appeal_id: Id):
    appeal = selectors.appeal_get_for(user=request.user, pk=appeal_id)
    return _detail(cast(User, request.user), appeal)


@router.post(
    "/appeals/{appeal_id}/actions/{action}",
    response={200: AppealDetail, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="Take an action on an appeal",
)
def act_on_appeal(request: HttpRequest, appeal_id: Id, action: str, payload: ActionIn):
    if action not in ACTIONS:
        raise NotFound(f"Unknown action {action!r}; one of {', '.join(ACTIONS)}.", fields={"action": action})
    appeal = selectors.appeal_get_for(user=request.user, pk=appeal_id)
    user = cast(User, request.user)  # the router's auth guarantees a signed-in user
    p = payload
    if action == "categorize":
        services.appeal_categorize(
            actor=user, appeal=appeal, category=_required(p.category, "category"), note=p.note, resend=True
        )
    elif action == "dispatch":
        services.appeal_dispatch(
            actor=user, appeal=appeal, unit=_required(p.unit, "unit"), co_units=p.co_units, note=p.note
        )
    elif action == "reassign":
        services.appeal_reassign(
            actor=user, appeal=appeal, unit=_required(p.unit, "unit"), co_units=p.co_units, note=p.note
        )
    elif action in ("sign_for", "start", "contact"):
        getattr(services, f"appeal_{action}")(actor=user, appeal=appeal, note=p.note)
    elif action == "co_reply":
        services.appeal_co_reply(actor=user, appeal=appeal, note=p.note or p.text)
    elif action == "reply":
        services.appeal_reply(actor=user, appeal=appeal, text=p.text or p.note)
    elif action in ("return", "reopen", "reject", "dispute_rating"):
        getattr(services, f"appeal_{action}")(actor=user, appeal=appeal, reason=p.reason or p.note)
    elif action == "request_extension":
        services.appeal_request_extension(
            actor=user, appeal=appeal, days=_required(p.days, "days"), reason=p.reason or p.note
        )
    elif action == "decide_extension":
        services.appeal_decide_extension(
            actor=user, appeal=appeal, approve=bool(_required(p.approve, "approve")), note=p.note
        )
    elif action == "supervise":
        services.appeal_supervise(actor=user, appeal=appeal, comment=p.comment or p.note, level=p.level)
    elif action == "evaluate":
        services.appeal_evaluate(
            actor=user,
            appeal=appeal,
            rating=_required(p.rating, "rating"),
            comment=p.comment or p.note,
            resolved=p.resolved,
        )
    elif action == "decide_rating_dispute":
        services.appeal_decide_rating_dispute(
            actor=user, appeal=appeal, uphold=bool(_required(p.uphold, "uphold")), note=p.note
        )
    elif action == "close":
        services.appeal_close(actor=user, appeal=appeal, note=p.note)
    elif action == "raise_emergency":
        services.appeal_raise_emergency(actor=user, appeal=appeal, reason=p.reason or p.note, kind=p.kind)
    elif action == "lower_emergency":
        services.appeal_lower_emergency(actor=user, appeal=appeal, reason=p.reason or p.note)
    elif action == "merge":
        into = selectors.appeal_get_for(user=user, pk=_required(p.into, "into"))
        services.appeal_merge(actor=user, appeal=appeal, into=into, note=p.note)
    try:
        appeal = selectors.appeal_get_for(user=user, pk=appeal_id)
    except NotFound:
        # The action took the appeal out of the user's sight (a unit returning a misdirected appeal): he gets
        # the result of what he did, not a 404 after a success, and no more of the timeline.
        appeal.refresh_from_db()
        return {**appeal_out(appeal, now=timezone.now()), "events": [], "actions": []}
    return _detail(user, appeal)


def _detail(user: User, appeal) -> dict:
    # The requester sees the public timeline only, whether he reads the appeal or acts on it (evaluate).
    relations = services.actor_relations(user, appeal)
    staff = can(user, Action.APPEALS_VIEW) or bool(relations - {"requester"})
    return appeal_detail_out(appeal, now=timezone.now(), relations=relations, staff=staff)


def _required(value, name: str):
    if value is None or value == "":
        raise ShequError(
            gettext("“%(name)s” is required for this action.") % {"name": name}, fields={name: "required"}
        )
    return value


@router.post(
    "/appeals/{appeal_id}/reveal",
    response={200: schemas.AppealRevealOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="Reveal what the resident typed (audited)",
)
def reveal_appeal(request: HttpRequest, appeal_id: Id, payload: schemas.AppealRevealIn):
    """The text, address and contact as typed, for a role that may reveal them, with a purpose; 404 out of
    scope as for a missing appeal, 403 for a role without the reveal. The reveal is written to the audit trail."""
    appeal = selectors.appeal_get_for(user=request.user, pk=appeal_id)
    values = services.appeal_reveal(
        actor=cast(User, request.user), appeal=appeal, fields=payload.fields, purpose=payload.purpose
    )
    response = JsonResponse({"id": appeal.pk, "values": values, "audited": True})
    response["X-Shequ-Reveal"] = "audited"
    response["Cache-Control"] = "no-store"
    return response


_ = PermissionDenied
