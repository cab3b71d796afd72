"""规划监测: the plan's indicators on the leaders' dashboard (/dashboard/plan/), by area with drill-down from the
city to a community, each indicator's chart by child area with the target line and a gap map, the source rows, the
exports, the district's yearly report; and the task ledger (任务清单和工作台账). Pages read the rollup's rows only."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound, ShequError
from shequ.core.exports import export_response
from shequ.geo.choices import AreaLevel

from . import selectors, services
from .choices import TASK_BADGE, TaskStatus
from .report import yearly_report_pdf


def _child_label(level: str | None) -> str:
    return str(dict(AreaLevel.choices).get(level, "")) if level else ""


def _fmt(fmt: str | None) -> str:
    return fmt if fmt in ("csv", "xlsx") else "csv"


@require_action(Action.INDICATORS_VIEW)
def board(request: HttpRequest) -> HttpResponse:
    area = selectors.indicator_area_for(user=request.user, code=request.GET.get("area"))
    data = selectors.indicator_board_for(user=request.user, area=area)
    rows = data["rows"]
    chosen = next((r for r in rows if r.indicator.key == request.GET.get("key")), None)
    chosen = chosen or next((r for r in rows if r.children), rows[0] if rows else None)
    chart = None
    if chosen is not None:
        chart = {
            "key": chosen.indicator.key,
            "name": chosen.indicator.name,
            "unit": chosen.indicator.unit,
            "target": chosen.indicator.target,
            "children": [
                {"code": v.area.code, "label": v.area.name, "value": v.value, "gap": v.gap, "met": v.met}
                for v in chosen.children
            ],
        }
    return render(
        request,
        "indicators/board.html",
        {
            **data,
            "ancestors": list(area.ancestors()),
            "child_label": _child_label(data["child_level"]),
            "chosen": chosen,
            "chart": chart,
            "met": sum(1 for r in rows if r.value and r.value.met),
            "measured": sum(1 for r in rows if r.value and r.value.value is not None),
            "may_report": area.level in ("district", "city"),
        },
    )


@require_action(Action.INDICATORS_VIEW)
def detail(request: HttpRequest, key: str) -> HttpResponse:
    area = selectors.indicator_area_for(user=request.user, code=request.GET.get("area"))
    indicator = selectors.indicator_get(key)
    data = selectors.indicator_board_for(user=request.user, area=area)
    row = next((r for r in data["rows"] if r.indicator.key == key), None)
    if row is None:  # the indicator does not apply at this level (a city-only count at a street)
        raise NotFound(_("No indicator has this key."))
    series = list(selectors.indicator_series_for(user=request.user, key=key, area=area))
    sources = selectors.indicator_sources_for(user=request.user, key=key, area=area)
    chart = {
        "key": key,
        "name": indicator.name,
        "unit": indicator.unit,
        "target": indicator.target,
        "children": [
            {"code": v.area.code, "label": v.area.name, "value": v.value, "gap": v.gap, "met": v.met}
            for v in row.children
        ],
        "series": [{"day": s.day.isoformat(), "value": s.value} for s in series],
    }
    return render(
        request,
        "indicators/detail.html",
        {
            **data,
            "row": row,
            "indicator": indicator,
            "ancestors": list(area.ancestors()),
            "child_label": _child_label(data["child_level"]),
            "series": series,
            "sources": sources,
            "chart": chart,
        },
    )


@require_action(Action.INDICATORS_VIEW)
def export(request: HttpRequest) -> HttpResponse:
    """The rows behind the page: each indicator at the area and at each child area (the chart's numbers)."""
    area = selectors.indicator_area_for(user=request.user, code=request.GET.get("area"))
    data = selectors.indicator_board_for(user=request.user, area=area)
    key = request.GET.get("key")
    headers = [
        _("Indicator"),
        pgettext("export column", "Area code"),
        pgettext("export column", "Area"),
        _("Value"),
        _("Target"),
        _("Gap"),
        _("Unit"),
        _("Met"),
        _("Computed at"),
    ]
    out = []
    for r in data["rows"]:
        if key and r.indicator.key != key:
            continue
        for v in ([r.value] if r.value else []) + r.children:
            met = "" if v.met is None else (_("Yes") if v.met else _("No"))
            value = v.value if v.value is not None else _("No data source yet")
            out.append(
                [
                    r.indicator.name,
                    v.area.code,
                    v.area.name,
                    value,
                    v.target,
                    v.gap,
                    r.indicator.unit,
                    met,
                    v.computed_at,
                ]
            )
    return export_response(
        _fmt(request.GET.get("format")), filename=f"indicators-{area.code}", headers=headers, rows=out
    )


@require_action(Action.INDICATORS_VIEW)
def report(request: HttpRequest) -> HttpResponse:
    """The yearly report of a district (or the city) as a PDF: every indicator with value, target, gap and trend,
    its streets' values, and the district's tasks with their status."""
    area = selectors.indicator_area_for(user=request.user, code=request.GET.get("area"))
    if area.level not in ("city", "district"):
        raise NotFound(_("The yearly report is made for a district or the city."))
    year = timezone.localdate().year
    data = selectors.indicator_board_for(user=request.user, area=area)
    tasks = list(selectors.plan_task_list_for(user=request.user, area=area))
    body = yearly_report_pdf(area=area, year=year, board=data, tasks=tasks, today=timezone.localdate())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="plan-report-{area.code}-{year}.pdf"'
    return response


# --- The task ledger --------------------------------------------------------------------------------------------


@require_action(Action.INDICATORS_VIEW)
def tasks(request: HttpRequest) -> HttpResponse:
    area = selectors.indicator_area_for(user=request.user, code=request.GET.get("area"))
    rows = list(selectors.plan_task_list_for(user=request.user, area=area))
    today = timezone.localdate()
    status = request.GET.get("status", "")
    if status == "overdue":
        rows = [t for t in rows if selectors.is_overdue(t, today)]
    elif status in TaskStatus.values:
        rows = [t for t in rows if t.status == status]
    return render(
        request,
        "indicators/tasks.html",
        {
            "area": area,
            "ancestors": list(area.ancestors()),
            "tasks": rows,
            "today": today,
            "status": status,
            "statuses": TaskStatus.choices,
            "badge": TASK_BADGE,
            "counts": selectors.task_counts(
                list(selectors.plan_task_list_for(user=request.user, area=area)), today
            ),
        },
    )


@require_action(Action.INDICATORS_VIEW)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.plan_task_get_for(user=request.user, pk=pk)
    may_manage = can(request.user, Action.PLAN_TASKS_MANAGE) and bool(
        selectors.plan_task_list_for(user=request.user, action=Action.PLAN_TASKS_MANAGE)
        .filter(pk=pk)
        .exists()
    )
    return render(
        request,
        "indicators/task_detail.html",
        {
            "task": task,
            "events": selectors.plan_task_events(task),
            "children": task.children.select_related("area").order_by("code"),
            "today": timezone.localdate(),
            "overdue": selectors.is_overdue(task, timezone.localdate()),
            "badge": TASK_BADGE,
            "may_manage": may_manage and task.status != TaskStatus.DONE,
        },
    )


@require_POST
@require_action(Action.PLAN_TASKS_MANAGE)
def task_act(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.plan_task_get_for(user=request.user, pk=pk, action=Action.PLAN_TASKS_MANAGE)
    try:
        if request.POST.get("do") == "complete":
            services.plan_task_complete(
                actor=cast(User, request.user), task=task, evidence=request.POST.get("evidence", "")
            )
            messages.success(request, _("The task is completed; its evidence is in the ledger."))
        else:
            try:
                progress = int(request.POST.get("progress", ""))
            except ValueError:
                progress = -1
            services.plan_task_report(
                actor=cast(User, request.user),
                task=task,
                progress=progress,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("The progress is recorded in the ledger."))
    except ShequError as exc:
        detail = "；".join(str(v) for v in exc.fields.values())
        messages.error(request, f"{exc.message} {detail}".strip())
    return redirect("indicators:task", pk=task.pk)
