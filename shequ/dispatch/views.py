"""Console pages of dispatch: the merge / dismiss buttons of the possible-duplicates panel on an appeal's page.

Plain POST forms (work without JavaScript); each goes through the same services as the API and comes back to the
appeal's page with a message.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.access.decorators import require_action
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError

from . import selectors, services


@require_POST
@require_action(Action.APPEALS_DISPATCH)
def duplicate_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = cast(User, request.user)
    row = selectors.duplicate_get_for(user=user, pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    try:
        if not selectors.duplicate_may_decide(user, row):
            raise PermissionDenied
        if decision == "merge":
            services.duplicate_merge(actor=user, candidate=row)
            messages.success(
                request,
                _("Merged %(appeal)s into %(into)s.")
                % {"appeal": row.appeal.number, "into": row.candidate.number},
            )
        else:
            services.duplicate_dismiss(actor=user, candidate=row)
            messages.success(request, _("Marked as not a duplicate."))
    except ShequError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, _("You may not decide on this possible duplicate."))
    if back:
        return redirect(back)
    return redirect("appeals:console_detail", pk=row.appeal_id)
