"""/api/v1/warnings: early warnings (list, detail, decisions) and the monthly top problems (每月一题)."""

from datetime import date
from typing import Annotated, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shequ.access.api import PROTECTED
from shequ.accounts.models import User
from shequ.core.api.errors import CREATE, PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.pagination import MappedQuerySet
from shequ.core.api.types import FIRST_DAY, LAST_DAY, Day, Id
from shequ.core.errors import NotFound, ShequError
from shequ.core.idempotency import run_once

from . import selectors, services
from .schemas import DecisionIn, TopOut, WarningOut, warning_out

router = Router(tags=["warnings"])
ACTIONS = ("acknowledge", "dismiss", "task")


class WarningFilters(Schema):
    status: str | None = None
    kind: str | None = None
    area: str | None = None
    category: str | None = None
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")


def _require_view(request: HttpRequest) -> None:
    if not selectors.warning_may_list(user=request.user):
        raise PermissionDenied(_("You may not see early warnings."))


@router.get(
    "/warnings",
    response={200: list[WarningOut], **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="List early warnings you may see",
)
@paginate
def list_warnings(request: HttpRequest, filters: Query[WarningFilters]):
    _require_view(request)
    qs = selectors.warning_list_for(user=request.user, **filters.dict())
    return MappedQuerySet(qs, warning_out)


@router.get(
    "/warnings/monthly-top",
    response={200: TopOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="每月一题: the month's top problems",
)
def monthly_top(
    request: HttpRequest,
    month: str | None = None,
    area: str | None = None,
    limit: Annotated[int, Field(ge=1, le=50)] = 10,
):
    """`month` as YYYY-MM (default: this month); `area` a code inside your areas; top-level category × the areas
    one level below (the city ranks streets, a street its communities)."""
    _require_view(request)
    from django.utils import timezone

    if month:
        try:
            first = date.fromisoformat(f"{month}-01")
            if not FIRST_DAY <= first <= LAST_DAY:
                raise ValueError(month)  # the month before it would be out of Python's range
        except ValueError:
            raise ShequError(
                _("Give the month as YYYY-MM."), code="invalid", fields={"month": month}
            ) from None
    else:
        first = timezone.localdate().replace(day=1)
    return selectors.monthly_top_problems(user=request.user, month=first, area=area, limit=limit)


@router.get(
    "/warnings/{warning_id}",
    response={200: WarningOut, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="One early warning",
)
def get_warning(request: HttpRequest, warning_id: Id):
    return warning_out(selectors.warning_get_for(user=request.user, pk=warning_id))


@router.post(
    "/warnings/{warning_id}/actions/{action}",
    response={200: WarningOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Acknowledge, dismiss, or turn a warning into a proactive task",
)
def act_on_warning(request: HttpRequest, warning_id: Id, action: str, payload: DecisionIn):
    """`task` creates a proactive appeal (未诉先办): repeat it with the same `Idempotency-Key` to get the first
    answer back. `dismiss` needs a `reason`."""
    if action not in ACTIONS:
        raise NotFound(
            _("Unknown action; one of %(actions)s.") % {"actions": ", ".join(ACTIONS)},
            fields={"action": action},
        )
    user = cast(User, request.user)  # the router's auth guarantees a signed-in user

    def work() -> tuple[int, dict]:
        warning = selectors.warning_get_for(user=user, pk=warning_id)
        if action == "acknowledge":
            services.warning_acknowledge(actor=user, warning=warning, note=payload.note)
        elif action == "dismiss":
            services.warning_dismiss(actor=user, warning=warning, reason=payload.reason or payload.note)
        else:
            services.warning_to_task(
                actor=user,
                warning=warning,
                text=payload.text,
                attributes=payload.attributes,
                note=payload.note,
            )
        fresh = selectors.warning_get_for(user=user, pk=warning_id)
        return 200, cast(dict, WarningOut.model_validate(warning_out(fresh)).model_dump(mode="json"))

    status, body, replayed = run_once(request, work) if action == "task" else (*work(), False)
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
