"""/api/v1/dispatch: suggestions for a text (dispatchers and intake staff), model versions (dispatchers)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router

from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.api.auth import PROTECTED

from . import selectors, services
from .models import ModelVersion
from .schemas import ModelVersionOut, SuggestIn, SuggestOut

router = Router(tags=["dispatch"])


@router.get(
    "/dispatch/appeals/{appeal_id}/suggestion",
    response=SuggestOut,
    auth=PROTECTED,
    summary="Suggestion for an appeal in the dispatch queue",
)
def appeal_suggestion(request: HttpRequest, appeal_id: int):
    """The suggestion for one appeal, from its text and area; 404 for an appeal outside your dispatch areas."""
    if not can(request.user, Action.APPEALS_DISPATCH):
        raise PermissionDenied("Only dispatchers may see dispatch suggestions for appeals.")
    appeal = selectors.appeal_for_dispatch(user=request.user, pk=appeal_id)
    return services.suggest(appeal.text, area=appeal.area.code)


@router.post("/dispatch/suggest", response=SuggestOut, auth=PROTECTED, summary="Suggest category and unit")
def suggest(request: HttpRequest, payload: SuggestIn):
    """Top-3 categories and lead units with probabilities and the words that drove them; whether the appeal
    would be dispatched automatically. For staff who dispatch or record appeals."""
    user = request.user
    if not (can(user, Action.APPEALS_DISPATCH) or can(user, Action.APPEALS_INTAKE)):
        raise PermissionDenied("Only dispatchers and intake staff may ask for dispatch suggestions.")
    return services.suggest(payload.text, lat=payload.lat, lng=payload.lng, area=payload.area)


def _version_out(row: ModelVersion) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "version": row.version,
        "active": row.active,
        "created_at": row.created_at,
        "created_by": row.created_by.get_username() if row.created_by else None,
        "trained_on": row.trained_on,
        "metrics": row.metrics,
        "sha256": row.sha256,
        "size": row.size,
        "note": row.note,
    }


@router.get(
    "/dispatch/models", response=list[ModelVersionOut], auth=PROTECTED, summary="Dispatch model versions"
)
def list_models(request: HttpRequest):
    if not can(request.user, Action.APPEALS_DISPATCH):
        raise PermissionDenied("Only dispatchers may see the dispatch models.")
    return [_version_out(row) for row in selectors.model_list()]
