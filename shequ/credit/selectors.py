"""Reads, always scoped (STYLE.md §2): the subjects and list entries of the areas under the user's
`credit.manage` grants; anything else looks like a missing one (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from shequ.access.scoping import visible_to
from shequ.accounts.roles import Action

from .models import ListEntry, Subject


def subject_list_for(*, user) -> QuerySet[Subject]:
    return visible_to(Subject.objects.select_related("area", "company"), user, Action.CREDIT_MANAGE)


def subject_get_for(*, user, pk: int) -> Subject:
    return get_object_or_404(subject_list_for(user=user), pk=pk)


def entry_list_for(*, user, year: int) -> QuerySet[ListEntry]:
    return visible_to(
        ListEntry.objects.filter(year=year).select_related("subject__area", "subject__company"),
        user,
        Action.CREDIT_MANAGE,
    ).order_by("standing", "-score", "subject__name")


def entry_get_for(*, user, pk: int) -> ListEntry:
    return get_object_or_404(
        visible_to(ListEntry.objects.select_related("subject__area"), user, Action.CREDIT_MANAGE), pk=pk
    )


def years_for(*, user) -> list[int]:
    return sorted(
        set(visible_to(ListEntry.objects.all(), user, Action.CREDIT_MANAGE).values_list("year", flat=True)),
        reverse=True,
    )


def public_entries(*, year: int, under: str | None = None) -> QuerySet[ListEntry]:
    """The year's incentive and risk lists as published to everyone (公示): no login, no evidence details."""
    from .choices import Standing

    qs = ListEntry.objects.filter(year=year, standing__in=(Standing.INCENTIVE, Standing.RISK))
    if under:  # an area's path: the subjects supervised there or below
        qs = qs.filter(subject__area__path__prefix=under)
    return qs.select_related("subject__area", "subject__company").order_by(
        "standing", "-score", "subject__name"
    )


def public_years() -> list[int]:
    return sorted(set(ListEntry.objects.values_list("year", flat=True)), reverse=True)
