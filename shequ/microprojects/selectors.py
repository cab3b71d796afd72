"""Reads, always scoped (STYLE.md §2). Staff see the rounds under their `microprojects.manage` grants; residents
see the rounds of the street or community they live in; the disclosure (公示) of a round and its projects is
public once the round has reached it. Anything else looks exactly like a missing object (404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from shequ.access.scoping import scope_for, visible_to
from shequ.accounts.roles import Action
from shequ.geo.models import Area

from .choices import Phase
from .models import Project, Proposal, Round
from .services import resident_of


def round_list_for(*, user) -> QuerySet[Round]:
    return visible_to(Round.objects.select_related("area"), user, Action.MICROPROJECTS_MANAGE)


def round_get_for(*, user, pk: int) -> Round:
    return get_object_or_404(round_list_for(user=user), pk=pk)


def proposal_get_for(*, user, pk: int) -> Proposal:
    return get_object_or_404(
        visible_to(Proposal.objects.select_related("round__area"), user, Action.MICROPROJECTS_MANAGE), pk=pk
    )


def project_get_for(*, user, pk: int) -> Project:
    return get_object_or_404(
        visible_to(
            Project.objects.select_related("round__area", "proposal"), user, Action.MICROPROJECTS_MANAGE
        ),
        pk=pk,
    )


def areas_for(*, user) -> QuerySet[Area]:
    condition = Q(pk__in=[])
    for path in scope_for(user, Action.MICROPROJECTS_MANAGE).paths:
        condition |= Q(path__startswith=path)
    return Area.objects.filter(condition, level__in=["street", "community"]).order_by("path")


def my_rounds(*, user) -> QuerySet[Round]:
    """The rounds of the areas the resident lives in (his street's and his community's)."""
    resident = resident_of(user)
    if resident is None:
        return Round.objects.none()
    ancestors = [resident.area.path[:i] for i in range(1, len(resident.area.path) + 1)]
    return Round.objects.filter(area__path__in=ancestors).select_related("area")


def my_round_get(*, user, pk: int) -> Round:
    return get_object_or_404(my_rounds(user=user), pk=pk)


def disclosed_rounds() -> QuerySet[Round]:
    return Round.objects.filter(phase=Phase.DISCLOSE).select_related("area")


def public_project_get(*, pk: int) -> Project:
    """A project page is public once its round's result is published (its proposal was selected by the vote)."""
    return get_object_or_404(Project.objects.select_related("round__area", "proposal__need"), pk=pk)
