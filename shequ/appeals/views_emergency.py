"""The console's emergency queue (issue 23): open emergencies in scope, the 20-minute countdown to dispatch, and
a visual alert for new ones. The page polls its own named partial (htmx, every 10 s); the countdown ticks between
polls in a static script (no inline script under the CSP)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from shequ.access.decorators import require_action
from shequ.accounts.roles import Action

from .emergency import NEW_MINUTES, emergency_queue_for, queue_rows

MAX_ROWS = 200


@never_cache
@require_action(Action.APPEALS_VIEW)
def console_emergencies(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = queue_rows(list(emergency_queue_for(user=request.user)[:MAX_ROWS]), now=now)
    template = "appeals/console_emergencies.html"
    if request.headers.get("HX-Request"):
        template += "#queue"
    context = {
        "rows": rows,
        "now": now,
        "new_count": sum(r["new"] for r in rows),
        "waiting_count": sum(r["waiting"] for r in rows),
        "new_minutes": NEW_MINUTES,
    }
    return render(request, template, context)
