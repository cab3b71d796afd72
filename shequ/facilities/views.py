"""附近服务: the resident portal's "services near me" page. Public (facilities are public information); works
without JavaScript (a GET form); "use my location" is a progressive enhancement (static/shequ/services.js)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from shequ.access.scoping import home_area_for
from shequ.core.errors import ShequError
from shequ.core.prefs import elder_mode
from shequ.core.workdays import get_calendar
from shequ.geo.picker import child_options, pick_area

from . import selectors
from .choices import CIRCLE_METRES, walk_minutes
from .hours import Schedule, local_now

RADII = (500, CIRCLE_METRES, 3000)
PAGE_LIMIT = 50
# Nearest first, a few at a time: fewer items per screen in elder mode (适老化); "show more" adds as many again.
STEP, ELDER_STEP = 10, 5


def distance_text(metres: float) -> str:
    rounded = round(metres / 10) * 10
    if rounded < 1000:
        return _("%(m)d m") % {"m": rounded}
    return _("%(km).1f km") % {"km": metres / 1000}


def services(request: HttpRequest) -> HttpResponse:
    params = request.GET
    error = ""
    types = [t for t in [params.get("type", "")] if t]
    try:
        radius = int(params.get("radius") or CIRCLE_METRES)
    except ValueError:
        radius = CIRCLE_METRES
    if radius not in RADII:
        radius = CIRCLE_METRES
    point = None
    if params.get("lat") or params.get("lng"):
        try:
            point = selectors.parse_point(params.get("lat", ""), params.get("lng", ""), field="location")
        except ShequError as exc:
            error = exc.message
    pick = pick_area(params, default=None if point else home_area_for(request.user))
    open_only = params.get("open") == "1"
    step = ELDER_STEP if elder_mode(request) else STEP
    try:
        shown = int(params.get("shown") or step)
    except ValueError:
        shown = step
    shown = min(PAGE_LIMIT, max(step, shown))
    now = local_now()
    found = (
        selectors.facility_search(
            types=types,
            area=None if point else pick.area,
            point=point,
            radius_m=radius,
            open_only=open_only,
            when=now,
            limit=shown + 1,  # one more than shown: is there more?
        )
        if (point or pick.area)
        else []
    )
    calendar = get_calendar()
    more = len(found) > shown and shown < PAGE_LIMIT
    more_query = params.copy()
    more_query["shown"] = str(min(PAGE_LIMIT, shown + step))
    rows = []
    for f, d in found[:shown]:
        schedule = Schedule(hours=f.hours or {}, holiday_rule=f.holiday_rule)
        rows.append(
            {
                "f": f,
                "distance": distance_text(d) if d is not None else "",
                "walk": walk_minutes(d) if d is not None else None,
                "in_circle": d is not None and d <= CIRCLE_METRES,
                "open": schedule.is_open(now, calendar),
                "today": schedule.today_text(now, calendar),
                "tel": "".join(ch for ch in f.phone if ch.isdigit() or ch == "+"),
            }
        )
    return render(
        request,
        "facilities/services.html",
        {
            "types": list(selectors.facility_types()),
            "chosen_type": types[0] if types else "",
            "pick": pick,
            "point": point,
            "radius": radius,
            "radii": [(r, distance_text(r)) for r in RADII],
            "open_only": open_only,
            "rows": rows,
            "error": error,
            "searched": bool(point or pick.area),
            "circle": CIRCLE_METRES,
            "more_url": f"?{more_query.urlencode()}" if more else "",
        },
    )


def area_options(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the options of the next select (streets of a district, communities of a street)."""
    code = request.GET.get("street") or request.GET.get("district") or ""
    return render(request, "facilities/area_options.html", {"options": child_options(code[:32])})
