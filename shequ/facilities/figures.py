"""The 15-minute circle's figures for the plan's indicators (shequ/indicators/registry.py), read from what
circle_compute stored."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.indicators.registry import Figure, SourceRow, add_up

from .models import BuildingReach, FacilityType


def _reach_rows() -> list[tuple[str, int, bool]]:
    """(building path, population, reaches every required type) from the stored computation."""
    required = set(FacilityType.objects.filter(in_circle=True, is_active=True).values_list("code", flat=True))
    out = []
    for path, pop, crow, network in BuildingReach.objects.values_list(
        "building__path", "population", "crow", "network"
    ):
        reach = network if network is not None else crow
        out.append((path, pop, required <= set(reach)))
    return out


def circle_residents(areas: Sequence) -> dict[str, float]:
    return add_up(areas, ((p, pop) for p, pop, _full in _reach_rows()))


def circle_residents_full(areas: Sequence) -> dict[str, float]:
    """Residents whose building reaches every required facility type within 15 minutes on foot."""
    return add_up(areas, ((p, pop) for p, pop, full in _reach_rows() if full))


def _circle_rows(area, limit: int) -> list[SourceRow]:
    qs = BuildingReach.objects.filter(community__path__prefix=area.path).select_related(
        "building", "community"
    )
    return [
        SourceRow(
            label=r.building.name,
            code=r.building.code,
            area=r.community.name,
            detail=f"{r.population} · {', '.join(sorted(r.network if r.network is not None else r.crow))}",
        )
        for r in qs.order_by("building__code")[:limit]
    ]


FIGURES = [
    Figure(
        key="facilities.circle_residents",
        label=_("Residents counted by the 15-minute circle"),
        unit=pgettext_lazy("unit", "people"),
        source=_("15-minute circle by building (synthetic populations flagged)"),
        compute=circle_residents,
        rows=_circle_rows,
    ),
    Figure(
        key="facilities.circle_residents_full",
        label=_("Residents inside a full 15-minute circle"),
        unit=pgettext_lazy("unit", "people"),
        source=_("15-minute circle by building: every required facility type within 15 minutes on foot"),
        compute=circle_residents_full,
        rows=_circle_rows,
    ),
]
