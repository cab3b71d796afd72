"""Figures of the area tree itself (geo sits below every module, so the indicators app declares them): population,
and how many streets and communities lie under an area, the denominators of "every street / every community"."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .registry import Figure, SourceRow, count_places_under


def population(areas: Sequence[Area]) -> dict[str, float | None]:
    # The area's own registered population (official or synthetic, as the city pack gives it); None is no data.
    return {a.code: a.population for a in areas}


def population_rows(area: Area, limit: int) -> list[SourceRow]:
    source = area.population_source or ""
    if area.population_synthetic:
        source = f"{source} ({_('synthetic')})".strip()
    return [SourceRow(label=area.name, code=area.code, detail=f"{area.population or '—'} · {source}")]


def _places(level: str):
    def compute(areas: Sequence[Area]) -> dict[str, float]:
        return count_places_under(areas, Area.objects.filter(level=level), level=level, path_field="path")

    def rows(area: Area, limit: int) -> list[SourceRow]:
        qs = Area.objects.under(area).filter(level=level).order_by("code")[:limit]
        return [SourceRow(label=a.name, code=a.code) for a in qs]

    return compute, rows


_streets, _street_rows = _places(AreaLevel.STREET)
_communities, _community_rows = _places(AreaLevel.COMMUNITY)

FIGURES = [
    Figure(
        key="geo.population",
        label=_("Resident population"),
        unit=pgettext_lazy("unit", "people"),
        source=_("Area register (population with its source; synthetic populations flagged)"),
        compute=population,
        rows=population_rows,
    ),
    Figure(
        key="geo.streets",
        label=_("Streets"),
        unit=_("streets"),
        source=_("Area register"),
        compute=_streets,
        rows=_street_rows,
        levels=("city", "district", "street"),
    ),
    Figure(
        key="geo.communities",
        label=_("Communities"),
        unit=_("communities"),
        source=_("Area register"),
        compute=_communities,
        rows=_community_rows,
    ),
]
