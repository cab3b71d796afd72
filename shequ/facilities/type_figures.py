"""Counts of the facility registry by type for the plan's indicators (shequ/indicators/registry.py): how many
facilities of a type lie under an area, and how many of its streets or communities have at least one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area
from shequ.indicators.registry import Figure, SourceRow, count_places_under, sum_under

from .models import Facility


def _facilities(types: Sequence[str]):
    return Facility.objects.filter(is_active=True, type__code__in=types)


def _rows(types: Sequence[str]) -> Callable[[Area, int], list[SourceRow]]:
    def rows(area: Area, limit: int) -> list[SourceRow]:
        qs = (
            _facilities(types)
            .filter(area__path__prefix=area.path)
            .select_related("area", "type")
            .order_by("pk")
        )
        return [
            SourceRow(label=f.name, code=str(f.pk), area=f.area.name, detail=f.type.name) for f in qs[:limit]
        ]

    return rows


def _count(types: Sequence[str]):
    def compute(areas: Sequence[Area]) -> dict[str, float]:
        return sum_under(areas, _facilities(types))

    return compute


def _places(types: Sequence[str], level: str):
    def compute(areas: Sequence[Area]) -> dict[str, float]:
        return count_places_under(areas, _facilities(types), level=level)

    return compute


FIGURES = [
    Figure(
        key="facilities.type_health",
        label=_("Community health institutions (社康)"),
        unit=_("institutions"),
        source=_("Facility registry, type 社康"),
        compute=_count(["health"]),
        rows=_rows(["health"]),
    ),
    Figure(
        key="facilities.type_health_communities",
        label=_("Communities with a community health institution"),
        unit=_("communities"),
        source=_("Facility registry, type 社康"),
        compute=_places(["health"], "community"),
        rows=_rows(["health"]),
    ),
    Figure(
        key="facilities.type_social_work_streets",
        label=_("Streets with a social-work station"),
        unit=_("streets"),
        source=_("Facility registry, type 社工站"),
        compute=_places(["social_work"], "street"),
        rows=_rows(["social_work"]),
        levels=("city", "district", "street"),
    ),
    Figure(
        key="facilities.type_childcare_streets",
        label=_("Streets with a childcare institution"),
        unit=_("streets"),
        source=_("Facility registry, type 托育机构"),
        compute=_places(["childcare"], "street"),
        rows=_rows(["childcare"]),
        levels=("city", "district", "street"),
    ),
    Figure(
        key="facilities.care_communities",
        label=_("Communities with childcare or elderly care"),
        unit=_("communities"),
        source=_("Facility registry, types 托育机构 and 长者服务站"),
        compute=_places(["childcare", "elderly"], "community"),
        rows=_rows(["childcare", "elderly"]),
    ),
]
