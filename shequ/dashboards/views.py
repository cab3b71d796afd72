"""The leaders' dashboard (/dashboard/): 民生诉求 volume, the three rates by area with drill-down, categories,
a district choropleth, overdue and supervised lists, and the newest early warnings (每月一题 is on the warnings page).
Composes appeals.kpis, appeals.selectors and earlywarning.selectors; every chart has a table view and an export of
the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shequ.access.decorators import require_action
from shequ.access.scoping import can, scope_for
from shequ.accounts.roles import Action
from shequ.appeals import selectors
from shequ.appeals.emergency import emergency_queue_for
from shequ.appeals.kpis import kpi_report
from shequ.core.errors import NotFound, ShequError
from shequ.core.exports import export_response
from shequ.earlywarning.selectors import warnings_recent_for
from shequ.geo.models import Area
from shequ.indicators.choices import PLAN_TITLE
from shequ.venues.stats import care_utilisation, utilisation
from shequ.volunteers.selectors import figures_for as volunteer_figures_for

CHILD_LEVEL = {"city": "district", "district": "street", "street": "community", "community": "community"}
RATES = [
    ("response_rate", "响应率"),
    ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"),
    ("on_time_rate", "按时办结率"),
    ("reopen_rate", "重办率"),
    ("return_rate", "退单率"),
]


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    to = parse_date(request.GET.get("to") or "") or today
    frm = parse_date(request.GET.get("from") or "") or to - timedelta(days=29)
    return frm, to


def _area(request: HttpRequest) -> Area:
    code = request.GET.get("area")
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None:
            # As kpis.kpi_report answers for an area outside the scope: the two must read the same (DESIGN.md §4).
            raise NotFound(_("No area has this code."), fields={"area": code})
        return area
    # The root of the user's KPI scope: the city for city roles, the district or street for others.
    paths = sorted(scope_for(request.user, Action.APPEALS_KPI).paths, key=len)
    code = [c for c in paths[0].split("/") if c][-1]
    return Area.objects.get(code=code)


def _data(request: HttpRequest) -> dict:
    area = _area(request)
    frm, to = _period(request)
    common: dict[str, Any] = {"user": request.user, "area": area.code, "date_from": frm, "date_to": to}
    child = CHILD_LEVEL[area.level]
    # kpis.kpi_report reads the rollups once for all of them on PostgreSQL. At city level the child areas are the
    # districts, so the choropleth reads the same grouping.
    report = kpi_report(group_bys=["none", child, "category", "unit", "day"], min_volume=5, **common)
    summary = report["none"].rows
    return {
        "area": area,
        "from": frm,
        "to": to,
        "child_level": child,
        "ancestors": list(area.ancestors()),
        "summary": summary[0] if summary else None,
        "trend": report["day"].rows,
        "by_area": report[child].rows,
        "by_district": report[child].rows if area.level == "city" else [],
        "by_category": report["category"].rows,
        "by_unit": report["unit"],
    }


@require_action(Action.APPEALS_KPI)
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        data = _data(request)
    except NotFound:
        raise  # the plain 404 of every page: an area outside the scope reads as one that does not exist
    except ShequError as exc:
        return render(request, "dashboards/dashboard.html", {"error": exc.message}, status=exc.status)
    area = data["area"]
    overdue = selectors.appeal_list_for(user=request.user, area=area.code, queue="overdue")[:10]
    warnings = warnings_recent_for(user=request.user, limit=8)
    supervised = selectors.appeal_list_for(user=request.user, area=area.code, queue="supervised")[:10]
    # Issue 23: emergencies open now in the area (the console's queue, scoped); the period's count and its share
    # dispatched within 20 minutes come from the KPI rollups (summary).
    open_emergencies = emergency_queue_for(user=request.user).filter(area__path__prefix=area.path).count()
    # Issue 25: the use of the area's venues over the same period, beside the plan's aim of higher use.
    venue_use = utilisation(area=area, date_from=data["from"], date_to=data["to"])
    care_use = care_utilisation(area=area, date_from=data["from"], date_to=data["to"])
    # Issue 24: volunteers per 10,000 residents, stations, hours and active volunteers, beside the plan's targets.
    volunteer_figures = volunteer_figures_for(area)
    charts = {
        "trend": [
            {"day": r["key"], "received": r["received"], "replied": r["replied"]} for r in data["trend"]
        ],
        "by_area": [
            {"code": r["key"], "label": r["label"], **{k: r["rates"][k] for k, _ in RATES}}
            for r in data["by_area"]
        ],
        "by_district": [
            {
                "code": r["key"],
                "label": r["label"],
                "satisfaction": r["rates"]["satisfaction_rate"],
                "received": r["received"],
            }
            for r in data["by_district"]
        ],
        "by_category": [{"label": r["label"], "received": r["received"]} for r in data["by_category"]],
        "rates": RATES,
    }
    return render(
        request,
        "dashboards/dashboard.html",
        {
            **data,
            "charts": charts,
            "overdue": overdue,
            "supervised": supervised,
            "open_emergencies": open_emergencies,
            "volunteer_figures": volunteer_figures,
            "venue_use": venue_use,
            "care_use": care_use,
            "warnings": warnings,
            "may_see_warnings": can(request.user, Action.WARNINGS_VIEW),
            "plan_title": PLAN_TITLE if can(request.user, Action.INDICATORS_VIEW) else "",
            "rate_names": RATES,
            "query": request.GET.urlencode(),
        },
    )


# The first two columns of an export name what a row is: a day, an area, a unit, a category (issue 21: a trend
# is not a list of people). Contexts keep these apart from other "Name" and "Code" strings.
EXPORT_KEY_COLUMNS = {
    "trend": (pgettext_lazy("export column", "Date"), pgettext_lazy("export column of a day", "Day")),
    "by_area": (pgettext_lazy("export column", "Area code"), pgettext_lazy("export column", "Area")),
    "by_district": (pgettext_lazy("export column", "Area code"), pgettext_lazy("export column", "Area")),
    "by_unit": (pgettext_lazy("export column", "Unit code"), pgettext_lazy("export column", "Unit")),
    "by_category": (
        pgettext_lazy("export column", "Category code"),
        pgettext_lazy("export column", "Category"),
    ),
}


@require_action(Action.APPEALS_KPI)
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The rows behind a chart, as .csv or .xlsx (the same numbers as the chart and its table)."""
    data = _data(request)
    chart = request.GET.get("chart", "by_area")
    rows = data["by_unit"].rows if chart == "by_unit" else data.get(chart) or []
    if not isinstance(rows, list):
        rows = []
    fmt = request.GET.get("format", "csv") if request.GET.get("format") in ("csv", "xlsx") else "csv"
    key, name = EXPORT_KEY_COLUMNS.get(chart, EXPORT_KEY_COLUMNS["by_area"])
    headers = [
        str(key),
        str(name),
        _("Received"),
        _("Dispatched"),
        _("Replied"),
        _("Rated"),
        *[label for _k, label in RATES],
    ]
    out = [
        [
            r["key"],
            r["label"],
            r["received"],
            r["dispatched"],
            r["replied"],
            r["rated"],
            *[r["rates"][k] for k, _l in RATES],
        ]
        for r in rows
    ]
    return export_response(fmt, filename=f"dashboard-{chart}", headers=headers, rows=out)
