"""/api/v1/emergency: publish a warning (Idempotency-Key honoured), acknowledge one that reached you, and the
shelters with their free places."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from shequ.access.api import PROTECTED
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.core.api.errors import CREATE, PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.types import Id
from shequ.core.idempotency import once_response

from . import selectors, services
from .schemas import AckOut, ShelterOut, ShelterQuery, WarningIn, WarningOut, shelter_out, warning_out

router = Router(tags=["emergency"])


@router.post(
    "/emergency/warnings",
    response={201: WarningOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Publish a warning to everyone in the areas it covers (a street officer)",
)
def publish(request: HttpRequest, payload: WarningIn):
    user = cast(User, request.user)
    if not can(user, services.PUBLISH):
        raise PermissionDenied(_("You may not publish warnings."))

    def work() -> tuple[int, dict]:
        warning = services.warning_publish(
            actor=user,
            hazard=payload.hazard,
            level=payload.level,
            area_codes=payload.areas,
            message=payload.message,
        )
        return 201, WarningOut.model_validate(warning_out(warning)).model_dump(mode="json")

    return once_response(request, work)


@router.post(
    "/emergency/warnings/{warning_id}/acknowledge",
    response={200: AckOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="Acknowledge a warning that reached you (again: the first time stands)",
)
def acknowledge(request: HttpRequest, warning_id: Id):
    delivery = services.warning_acknowledge(person=cast(User, request.user), warning_id=warning_id)
    return {"warning": delivery.warning_id, "acknowledged_at": delivery.acknowledged_at}


@router.get(
    "/emergency/shelters",
    response={200: list[ShelterOut], **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="Emergency shelters with capacity and free places (optionally under an area)",
)
def shelters(request: HttpRequest, query: Query[ShelterQuery]):
    return [shelter_out(s) for s in selectors.shelter_list_for(user=request.user, area=query.area)[:500]]
