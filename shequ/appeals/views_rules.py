"""The responsibility list (职责清单) in the console (issue 21): read it with its history, import a new version from
.xlsx (checked row by row first: all rows or none), end a rule on a date. The dispatcher's job (appeals.rules).
Thin: shequ.appeals.rules does the work, scoped and audited."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError

from . import rules

PAGE = 200


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # require_action has let only a signed-in user through


@require_action(Action.APPEALS_RULES)
@require_http_methods(["GET", "POST"])
def rules_page(request: HttpRequest) -> HttpResponse:
    report, checked = None, False
    if request.method == "POST":
        upload = request.FILES.get("file")
        checked = "check" in request.POST
        if upload is None:
            messages.error(request, _("Choose an .xlsx file to import."))
        else:
            try:
                report = rules.rules_import(actor=_me(request), fileobj=upload, dry_run=checked)
            except ShequError as e:
                messages.error(request, e.message)
            else:
                if report.ok and not checked:
                    messages.success(request, _("%(n)d rules imported.") % {"n": report.created})
                    return redirect("appeals:rules")
    today = timezone.localdate()
    category = request.GET.get("category", "").strip()[:40]
    area = request.GET.get("area", "").strip()[:19]
    history = request.GET.get("history") == "1"
    qs = rules.rules_list_for(user=_me(request)).select_related("category", "area", "lead_unit")
    if category:
        qs = qs.filter(category__code=category)
    if area:
        qs = qs.filter(area__code=area)
    if not history:
        qs = qs.filter(effective_from__lte=today).exclude(effective_to__lt=today)
    editable = set(rules.rules_editable_for(user=_me(request)).values_list("pk", flat=True))
    rows = list(
        qs.prefetch_related("co_units").order_by("category__code", "area__path", "-effective_from")[:PAGE]
    )
    return render(
        request,
        "appeals/rules.html",
        {
            "rows": rows,
            "editable": editable,
            "report": report,
            "checked": checked,
            "filters": {"category": category, "area": area, "history": history},
            "today": today,
        },
        status=400 if report is not None and not report.ok else 200,
    )


@require_action(Action.APPEALS_RULES)
@require_POST
def rule_end(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(rules.rules_editable_for(user=_me(request)), pk=pk)
    try:
        on = date.fromisoformat(request.POST.get("effective_to", ""))
    except ValueError:
        messages.error(request, _("Enter the last day as YYYY-MM-DD."))
        return redirect("appeals:rules")
    try:
        rules.rule_end(actor=_me(request), rule=rule, on=on, reason=request.POST.get("reason", ""))
    except ShequError as e:
        messages.error(request, e.message)
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("The rule ends on %(day)s.") % {"day": on.isoformat()})
    return redirect("appeals:rules")
