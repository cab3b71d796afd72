"""The volunteer service's figures for the plan's indicators (shequ/indicators/registry.py): registered volunteers
and volunteer stations per area. A volunteer's name is personal data: the evidence of the count is the count per
community, never the people."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.geo.models import Area
from shequ.indicators.registry import Figure, SourceRow, sum_under

from .choices import VolunteerStatus
from .models import Station, Volunteer


def _volunteers():
    return Volunteer.objects.exclude(status=VolunteerStatus.SUSPENDED)


def registered(areas: Sequence[Area]) -> dict[str, float]:
    return sum_under(areas, _volunteers())


def registered_rows(area: Area, limit: int) -> list[SourceRow]:
    rows = (
        _volunteers()
        .filter(area__path__prefix=area.path)
        .values("area__code", "area__name")
        .annotate(n=Count("id"))
        .order_by("area__code")[:limit]
    )
    return [SourceRow(label=r["area__name"], code=r["area__code"], detail=str(r["n"])) for r in rows]


def stations(areas: Sequence[Area]) -> dict[str, float]:
    return sum_under(areas, Station.objects.all())


def station_rows(area: Area, limit: int) -> list[SourceRow]:
    qs = (
        Station.objects.filter(area__path__prefix=area.path).select_related("area", "facility").order_by("pk")
    )
    return [SourceRow(label=s.facility.name, code=str(s.pk), area=s.area.name) for s in qs[:limit]]


FIGURES = [
    Figure(
        key="volunteers.registered",
        label=_("Registered volunteers"),
        unit=pgettext_lazy("unit", "people"),
        source=_("Volunteer register (suspended volunteers excluded), counted where each volunteer lives"),
        compute=registered,
        rows=registered_rows,
    ),
    Figure(
        key="volunteers.stations",
        label=_("Volunteer stations"),
        unit=_("stations"),
        source=_("Volunteer stations (each a facility of the registry)"),
        compute=stations,
        rows=station_rows,
    ),
]
