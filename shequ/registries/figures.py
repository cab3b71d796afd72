"""The registries' figures for the plan's indicators (shequ/indicators/registry.py): each answers for the whole
city in one grouped query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.indicators.registry import Figure, SourceRow, add_up, count_places_under, sum_under

from .choices import KINDS, Register
from .models import Entry

COMMITTEE_KINDS = {code for code, _label in KINDS[Register.COMMITTEE]}


def _active(register: str, kind: str | None = None):
    qs = Entry.objects.filter(register=register, is_active=True)
    return qs.filter(kind=kind) if kind else qs


def committees_complete(areas: Sequence) -> dict[str, float]:
    """Communities whose residents' committee has all five sub-committees."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for path, kind in _active(Register.COMMITTEE).values_list("community__path", "kind"):
        kinds[path].add(kind)
    return add_up(areas, ((p, 1) for p, k in kinds.items() if k >= COMMITTEE_KINDS))


def _rows(register: str, kind: str | None = None):
    def rows(area, limit: int) -> list[SourceRow]:
        qs = _active(register, kind).filter(community__path__prefix=area.path).select_related("community")
        return [
            SourceRow(label=e.name, code=str(e.pk), area=e.community.name, detail=e.kind_label)
            for e in qs.order_by("community__path", "kind", "name")[:limit]
        ]

    return rows


def _communities_with(register: str, kind: str | None = None):
    def compute(areas: Sequence) -> dict[str, float]:
        return count_places_under(
            areas, _active(register, kind), level="community", path_field="community__path"
        )

    return compute


def _count(register: str, kind: str | None = None):
    def compute(areas: Sequence) -> dict[str, float]:
        return sum_under(areas, _active(register, kind), path_field="community__path")

    return compute


FIGURES = [
    Figure(
        key="registries.committees_complete",
        label=_("Communities with all five residents' committee sub-committees"),
        unit=_("communities"),
        source=_("Register of residents' committee sub-committees"),
        compute=committees_complete,
        rows=_rows(Register.COMMITTEE),
    ),
    Figure(
        key="registries.legal_literate_communities",
        label=_("Communities with a legal literate (法律明白人)"),
        unit=_("communities"),
        source=_("Register of legal literates and legal advisers"),
        compute=_communities_with(Register.LEGAL, "literate"),
        rows=_rows(Register.LEGAL, "literate"),
    ),
    Figure(
        key="registries.legal_adviser_communities",
        label=_("Communities with a legal adviser"),
        unit=_("communities"),
        source=_("Register of legal literates and legal advisers"),
        compute=_communities_with(Register.LEGAL, "adviser"),
        rows=_rows(Register.LEGAL, "adviser"),
    ),
    Figure(
        key="registries.green_communities",
        label=_("Green communities (certified)"),
        unit=_("communities"),
        source=_("Register of green communities"),
        compute=_communities_with(Register.GREEN, "certified"),
        rows=_rows(Register.GREEN, "certified"),
    ),
    Figure(
        key="registries.social_organisations",
        label=_("Community social organisations on file"),
        unit=_("organisations"),
        source=_("Register of community social organisations"),
        compute=_count(Register.SOCIAL_ORG),
        rows=_rows(Register.SOCIAL_ORG),
    ),
    Figure(
        key="registries.community_schools",
        label=_("Community schools"),
        unit=_("schools"),
        source=_("Register of community schools"),
        compute=_count(Register.SCHOOL),
        rows=_rows(Register.SCHOOL),
    ),
    Figure(
        key="registries.charity_points",
        label=_("Community foundations and donation points"),
        unit=pgettext_lazy("unit", "places"),
        source=_("Register of community foundations and donation points"),
        compute=_count(Register.CHARITY),
        rows=_rows(Register.CHARITY),
    ),
]
