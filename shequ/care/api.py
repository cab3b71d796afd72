"""/api/v1/care: cases (list, open with Idempotency-Key) and the discovery queue. Names masked; scoped (404)."""

from __future__ import annotations

import datetime as dt
import json
from typing import cast

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from ninja import Query, Router, Schema

from shequ.access.api import PROTECTED
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.api.errors import CREATE, PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.pagination import MAX_LIMIT, MAX_OFFSET
from shequ.core.errors import ShequError
from shequ.core.idempotency import run_once
from shequ.core.masking import mask_name
from shequ.residents.selectors import resident_get_for

from . import selectors, services
from .choices import CaseStatus, DiscoveryKind, DiscoveryStatus

router = Router(tags=["care"], auth=PROTECTED)


class AreaOut(Schema):
    code: str
    name: str


class CaseOut(Schema):
    id: int
    status: str
    status_label: str
    person: str
    area: AreaOut
    summary: str
    worker: str | None
    due_at: dt.datetime | None
    next_visit_due: dt.date | None
    created_at: dt.datetime


class CaseIn(Schema):
    discovery: int | None = None
    resident: int | None = None
    summary: str = ""


class DiscoveryOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    person: str
    area: AreaOut
    summary: str
    created_at: dt.datetime


def case_out(c) -> dict:
    return {
        "id": c.pk,
        "status": c.status,
        "status_label": str(CaseStatus(c.status).label),
        "person": mask_name(c.resident.name),
        "area": {"code": c.area.code, "name": c.area.name},
        "summary": c.summary,
        "worker": (c.worker.display_name or c.worker.username) if c.worker else None,
        "due_at": c.due_at,
        "next_visit_due": c.next_visit_due,
        "created_at": c.created_at,
    }


@router.get(
    "/care/cases",
    response={200: list[CaseOut], **errors(*PROTECTED_READ)},
    summary="Social-work cases in my areas",
)
def list_cases(
    request: HttpRequest,
    status: str = "",
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    user = cast(User, request.user)
    if not can(user, Action.CARE_CASES):
        raise PermissionDenied(gettext("Your role may not see cases."))
    if status and status not in CaseStatus.values:
        raise ShequError(gettext("Unknown status."), fields={"status": status})
    qs = selectors.case_list_for(user=user, status=status).order_by("-created_at", "-pk")
    return [case_out(c) for c in qs[offset : offset + limit]]


def _open(request: HttpRequest, data: CaseIn) -> tuple[int, dict]:
    user = cast(User, request.user)
    if data.discovery:
        entry = selectors.discovery_get_for(user=user, pk=data.discovery)
        c = services.case_open(actor=user, discovery=entry, summary=data.summary)
    elif data.resident:
        resident = resident_get_for(user=user, pk=data.resident, action=Action.CARE_TRIAGE)
        c = services.case_open(actor=user, resident=resident, summary=data.summary)
    else:
        raise ShequError(gettext("Give a discovery entry or a resident."), fields={"discovery": "required"})
    c = selectors.case_get_for(user=user, pk=c.pk, action=Action.CARE_TRIAGE)
    # Stored for an Idempotency-Key replay as JSON: datetimes as ISO strings.
    return 201, json.loads(DjangoJSONEncoder().encode(case_out(c)))


@router.post(
    "/care/cases",
    response={201: CaseOut, **errors(*PROTECTED_WRITE, *CREATE)},
    summary="Open a case from a discovery entry or for a resident",
)
def open_case(request: HttpRequest, payload: CaseIn):
    """Repeat with the same `Idempotency-Key` header to get the first case back (nothing opens twice). An entry
    already decided is 409; an entry or resident out of your areas is 404."""
    user = cast(User, request.user)
    if not can(user, Action.CARE_TRIAGE):
        raise PermissionDenied(gettext("Your role may not open cases."))
    status, body, replayed = run_once(request, lambda: _open(request, payload))
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/care/discoveries",
    response={200: list[DiscoveryOut], **errors(*PROTECTED_READ)},
    summary="The proactive discovery queue of my areas",
)
def list_discoveries(
    request: HttpRequest,
    status: str = "open",
    kind: str = "",
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    user = cast(User, request.user)
    if not can(user, Action.CARE_TRIAGE):
        raise PermissionDenied(gettext("Your role may not see the discovery queue."))
    if status and status not in DiscoveryStatus.values:
        raise ShequError(gettext("Unknown status."), fields={"status": status})
    if kind and kind not in DiscoveryKind.values:
        raise ShequError(gettext("Unknown kind of signal."), fields={"kind": kind})
    qs = selectors.discovery_list_for(user=user, status=status, kind=kind)
    return [
        {
            "id": d.pk,
            "kind": d.kind,
            "kind_label": str(DiscoveryKind(d.kind).label),
            "status": d.status,
            "person": mask_name(d.resident.name),
            "area": {"code": d.area.code, "name": d.area.name},
            "summary": d.summary,
            "created_at": d.created_at,
        }
        for d in qs[offset : offset + limit]
    ]
