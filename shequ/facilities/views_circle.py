"""The 15-minute circle by population in the console (issue 29): coverage per community, the gaps on a map, the
suggested sites for a chosen type. Reads only what circle_compute stored; a street outside one's areas is 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.access.decorators import require_action
from shequ.accounts.roles import Action
from shequ.core.exports import export_response

from .coverage import circle_streets_for
from .models import BuildingReach, CircleCoverage, CircleRun, FacilityType, SiteSuggestion

MAP_BUILDINGS = 4000


def _share(covered: int | None, population: int) -> int | None:
    if covered is None or not population:
        return None
    return round(100 * covered / population)


def _context(request: HttpRequest) -> dict:
    streets = list(circle_streets_for(user=request.user))
    code = request.GET.get("street", "").strip()
    if code:
        street = next((s for s in streets if s.code == code), None)
        if street is None:
            raise Http404
    elif streets:
        street = streets[0]
    else:
        raise Http404
    types = list(FacilityType.objects.filter(in_circle=True, is_active=True).order_by("sort", "code"))
    chosen = next((t for t in types if t.code == request.GET.get("type")), types[0] if types else None)
    coverage = (
        CircleCoverage.objects.filter(community__path__prefix=street.path)
        .select_related("community", "type")
        .order_by("community__code", "type__sort")
    )
    table: dict[int, dict] = {}
    for c in coverage:
        row = table.setdefault(
            c.community_id,
            {"community": c.community, "population": c.population, "synthetic": c.synthetic, "cells": {}},
        )
        row["cells"][c.type.code] = {
            "crow": _share(c.covered_crow, c.population),
            "network": _share(c.covered_network, c.network_population),
        }
    rows = [
        {**r, "cells": [r["cells"].get(t.code, {"crow": None, "network": None}) for t in types]}
        for r in table.values()
    ]
    suggestions = (
        list(
            SiteSuggestion.objects.filter(street=street, type=chosen)
            .select_related("site", "site__area")
            .order_by("rank")
        )
        if chosen
        else []
    )
    for s in suggestions:
        s.share_after = _share(s.covered_after, s.population)  # type: ignore[attr-defined]
    return {
        "streets": streets,
        "street": street,
        "types": types,
        "chosen": chosen,
        "rows": rows,
        "suggestions": suggestions,
        "run": CircleRun.objects.first(),
    }


@require_action(Action.FACILITIES_MANAGE)
def circle(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    chosen, street = context["chosen"], context["street"]
    points = []
    if chosen is not None:
        for b in BuildingReach.objects.filter(community__path__prefix=street.path).only(
            "lat", "lng", "population", "crow", "network"
        )[:MAP_BUILDINGS]:
            reach = b.network if b.network is not None else b.crow
            points.append({"lat": b.lat, "lng": b.lng, "pop": b.population, "gap": chosen.code not in reach})
    sites = [
        {"lat": s.site.lat, "lng": s.site.lng, "name": f"{s.rank}. {s.site.name}", "adds": s.adds}
        for s in context["suggestions"]
    ]
    context["map"] = {"buildings": points, "sites": sites}
    context["gaps"] = sum(p["pop"] for p in points if p["gap"])
    return render(request, "facilities/circle.html", context)


@require_action(Action.FACILITIES_MANAGE)
def circle_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    context = _context(request)
    types = context["types"]
    headers = ["社区", "社区代码", "人口", "人口为合成数据"] + [f"{t.name}（直线）%" for t in types]
    headers += [f"{t.name}（步行）%" for t in types]
    body = [
        [r["community"].name, r["community"].code, r["population"], "是" if r["synthetic"] else "否"]
        + [c["crow"] for c in r["cells"]]
        + [c["network"] for c in r["cells"]]
        for r in context["rows"]
    ]
    return export_response(fmt, filename=f"circle-{context['street'].code}", headers=headers, rows=body)
