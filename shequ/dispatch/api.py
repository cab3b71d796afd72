"""/api/v1/dispatch: suggestions for a text (dispatchers and intake staff), model versions (dispatchers), possible
duplicates of an appeal (staff who see it) and the decision on them (dispatchers, who may merge)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router

from shequ.access.api import PROTECTED
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.api.errors import PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.types import Id
from shequ.core.masking import redact

from . import selectors, services
from .models import DuplicateCandidate, ModelVersion
from .schemas import DuplicateOut, ModelVersionOut, SuggestIn, SuggestOut

router = Router(tags=["dispatch"])


@router.get(
    "/dispatch/appeals/{appeal_id}/suggestion",
    response={200: SuggestOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="Suggestion for an appeal in the dispatch queue",
)
def appeal_suggestion(request: HttpRequest, appeal_id: Id):
    """The suggestion for one appeal, from its text and area; 404 for an appeal outside your dispatch areas."""
    if not can(request.user, Action.APPEALS_DISPATCH):
        raise PermissionDenied(gettext("Only dispatchers may see dispatch suggestions for appeals."))
    appeal = selectors.appeal_for_dispatch(user=request.user, pk=appeal_id)
    return services.suggest(appeal.text, area=appeal.area.code)


@router.post(
    "/dispatch/suggest",
    response={200: SuggestOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="Suggest category and unit",
)
def suggest(request: HttpRequest, payload: SuggestIn):
    """Top-3 categories and lead units with probabilities and the words that drove them; whether the appeal
    would be dispatched automatically. For staff who dispatch or record appeals."""
    user = request.user
    if not (can(user, Action.APPEALS_DISPATCH) or can(user, Action.APPEALS_INTAKE)):
        raise PermissionDenied(gettext("Only dispatchers and intake staff may ask for dispatch suggestions."))
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
        "note": redact(row.note),
    }


@router.get(
    "/dispatch/models",
    response={200: list[ModelVersionOut], **errors(401, 403)},
    auth=PROTECTED,
    summary="Dispatch model versions",
)
def list_models(request: HttpRequest):
    if not can(request.user, Action.APPEALS_DISPATCH):
        raise PermissionDenied(gettext("Only dispatchers may see the dispatch models."))
    return [_version_out(row) for row in selectors.model_list()]


def _appeal_out(appeal) -> dict:
    return {
        "id": appeal.pk,
        "number": appeal.number,
        "text": redact(appeal.text)[:300],
        "status": appeal.status,
        "category": appeal.category.code if appeal.category else None,
        "created_at": appeal.created_at,
    }


def _duplicate_out(row: DuplicateCandidate) -> dict:
    return {
        "id": row.pk,
        "appeal": _appeal_out(row.appeal),
        "candidate": _appeal_out(row.candidate),
        "score": row.score,
        "text_score": row.text_score,
        "distance_m": None if row.distance_m is None else round(row.distance_m, 1),
        "hours_apart": row.hours_apart,
        "status": row.status,
        "actionable": selectors.duplicate_actionable(row),
        "created_at": row.created_at,
        "decided_by": row.decided_by.get_username() if row.decided_by else None,
        "decided_at": row.decided_at,
    }


@router.get(
    "/dispatch/duplicates",
    response={200: list[DuplicateOut], **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="Possible duplicates (并单)",
)
def list_duplicates(request: HttpRequest, appeal: Id):
    """The possible duplicates found for an appeal at intake, and the pairs in which it is the older appeal;
    best first. 404 for an appeal you do not see; pairs whose other appeal you do not see are left out."""
    _, rows = selectors.duplicate_list_for(user=request.user, appeal_id=appeal)
    return [_duplicate_out(row) for row in rows]


def _decidable_for(request: HttpRequest, pk: int) -> DuplicateCandidate:
    if not can(request.user, Action.APPEALS_VIEW):
        raise PermissionDenied(gettext("Only dispatchers may decide on possible duplicates."))
    row = selectors.duplicate_get_for(user=request.user, pk=pk)
    if not selectors.duplicate_may_decide(request.user, row):
        raise PermissionDenied(gettext("Only dispatchers may decide on possible duplicates."))
    return row


@router.post(
    "/dispatch/duplicates/{duplicate_id}/merge",
    response={200: DuplicateOut, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="Merge a duplicate (并单)",
)
def merge_duplicate(request: HttpRequest, duplicate_id: Id):
    """Merge the newer appeal into the older one; 409 when the pair was already decided or an appeal is no longer
    open."""
    row = _decidable_for(request, duplicate_id)
    user = request.user
    assert isinstance(user, User)
    row = services.duplicate_merge(actor=user, candidate=row)
    return _duplicate_out(row)


@router.post(
    "/dispatch/duplicates/{duplicate_id}/dismiss",
    response={200: DuplicateOut, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="Not a duplicate",
)
def dismiss_duplicate(request: HttpRequest, duplicate_id: Id):
    row = _decidable_for(request, duplicate_id)
    user = request.user
    assert isinstance(user, User)
    return _duplicate_out(services.duplicate_dismiss(actor=user, candidate=row))
