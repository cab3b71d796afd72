"""Reads, always scoped (STYLE.md §2): staff see the estates under their `owners.manage` grants, owners see the
votes of the estates where they are on the register; anything else looks exactly like a missing object (404)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from shequ.access.scoping import areas_in_scope, visible_to
from shequ.accounts.roles import Action
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .choices import VoteStatus
from .models import Owner, Part, Vote


def estate_list_for(*, user) -> QuerySet[Area]:
    return areas_in_scope(user, Action.OWNERS_MANAGE, levels=[AreaLevel.ESTATE])


def estates_with_registers_for(*, user) -> QuerySet[Area]:
    return (
        estate_list_for(user=user)
        .filter(owner_parts__isnull=False)
        .annotate(parts=Count("owner_parts"))
        .select_related("parent__parent")  # the estate's community names it on the pages (not its code)
        .order_by("path")
    )


def estate_get_for(*, user, pk: int) -> Area:
    return get_object_or_404(estate_list_for(user=user), pk=pk)


def part_list_for(*, user, estate: Area) -> QuerySet[Part]:
    return visible_to(Part.objects.filter(estate=estate), user, Action.OWNERS_MANAGE).prefetch_related(
        "owners"
    )


def vote_list_for(*, user) -> QuerySet[Vote]:
    return visible_to(Vote.objects.select_related("estate"), user, Action.OWNERS_MANAGE)


def vote_get_for(*, user, pk: int) -> Vote:
    return get_object_or_404(vote_list_for(user=user), pk=pk)


def owner_estates(user) -> QuerySet[Owner]:
    if user is None or not user.is_authenticated:
        return Owner.objects.none()
    return Owner.objects.filter(Q(user=user) | Q(resident__user=user))


def my_votes(*, user) -> QuerySet[Vote]:
    """Published votes of the estates where the user is on the register."""
    estates = owner_estates(user).values("estate_id")
    return (
        Vote.objects.filter(estate_id__in=estates)
        .exclude(status__in=[VoteStatus.DRAFT, VoteStatus.CANCELLED])
        .select_related("estate")
    )


def my_vote_get(*, user, pk: int) -> Vote:
    return get_object_or_404(my_votes(user=user), pk=pk)


def vote_get_for_result(*, user, pk: int) -> Vote:
    """A published vote's result: for staff of its estate and for its owners."""
    staff = vote_list_for(user=user).exclude(status=VoteStatus.DRAFT).filter(pk=pk).first()
    return staff or my_vote_get(user=user, pk=pk)
