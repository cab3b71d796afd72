"""The console page /console/warnings/: the warnings of the user's areas with their evidence and three decisions.

Plain forms with CSRF (the CSP forbids inline script); every decision goes through the same services as the API.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError

from . import selectors, services
from .choices import STATUS_BADGE, WarningKind, WarningStatus

FILTERS = ("status", "kind", "area", "category")


APPEALS_SHOWN = 5


def _appeal_links(w) -> list[tuple[int, str]]:
    """The evidence's appeals as (id, number) for links, the first few."""
    ids, numbers = w.evidence.get("appeal_ids") or [], w.evidence.get("appeal_numbers") or []
    return list(zip(ids, numbers, strict=False))[:APPEALS_SHOWN]


def _usual(expected) -> str:
    """The baseline in words a dispatcher reads at a glance: "about 3", or "fewer than 1"."""
    if expected is None:
        return ""
    if expected < 1:
        return _("fewer than 1")
    return _("about %(n)d") % {"n": round(expected)}


def _chance(p) -> str:
    """How rarely chance alone gives such a rise, in words instead of a p-value."""
    if p is None:
        return ""
    for limit, words in (
        (1e-4, _("by chance less than once in 10,000 times")),
        (1e-3, _("by chance less than once in 1,000 times")),
        (1e-2, _("by chance less than once in 100 times")),
    ):
        if p < limit:
            return words
    return _("could also be chance")


@require_action(Action.WARNINGS_VIEW)
def console_list(request: HttpRequest) -> HttpResponse:
    f = {k: (request.GET.get(k) or None) for k in FILTERS}
    if "status" not in request.GET:
        f["status"] = WarningStatus.OPEN
    try:
        qs = selectors.warning_list_for(
            user=request.user, status=f["status"], kind=f["kind"], area=f["area"], category=f["category"]
        )
    except ShequError as exc:
        messages.error(request, exc.message)
        qs = selectors.warning_list_for(user=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "earlywarning/console_list.html",
        {
            "page": page,
            "rows": [
                {
                    "w": w,
                    "badge": STATUS_BADGE.get(WarningStatus(w.status), "secondary"),
                    "appeals": _appeal_links(w),
                    "usual": _usual(w.expected),
                    "chance": _chance(w.p_value),
                }
                for w in page
            ],
            "filters": f,
            "query": params.urlencode(),
            "kinds": WarningKind.choices,
            "statuses": WarningStatus.choices,
            "can_decide": can(request.user, Action.WARNINGS_DECIDE),
            "can_task": can(request.user, Action.APPEALS_INTAKE),
            "top": selectors.monthly_top_problems(user=request.user, month=_this_month(), limit=5),
        },
    )


def _this_month():
    from django.utils import timezone

    return timezone.localdate().replace(day=1)


@require_POST
@require_action(Action.WARNINGS_VIEW)
def console_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    warning = selectors.warning_get_for(user=request.user, pk=pk)
    user = cast(User, request.user)
    note = request.POST.get("note", "")
    try:
        if action == "acknowledge":
            services.warning_acknowledge(actor=user, warning=warning, note=note)
        elif action == "dismiss":
            services.warning_dismiss(actor=user, warning=warning, reason=note)
        elif action == "task":
            warning = services.warning_to_task(actor=user, warning=warning, note=note)
        else:
            raise ShequError(_("Unknown action."), fields={"action": action})
    except ShequError as exc:
        # The message says what is wrong in the reader's language; the fields are codes for programs (the API).
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, _("You may not take this action on this warning."))
    else:
        if action == "task" and warning.task_appeal is not None:
            messages.success(
                request, _("Proactive appeal %(number)s created.") % {"number": warning.task_appeal.number}
            )
        else:
            messages.success(request, _("Done."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "earlywarning:console_list")
