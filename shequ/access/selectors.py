"""Reads for the administration screens, always scoped (STYLE.md §2): out of scope looks exactly like missing.

A staff account belongs where its grants are: a system admin sees the accounts that hold or have asked for a
grant under the areas of his `users.manage` grants; the security admin sees the grants under the areas of his
`grants.manage` grants."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from shequ.accounts.models import Grant, GrantStatus, Unit, User
from shequ.accounts.roles import Action, Role

from .scoping import scope_for


def _under(paths, field: str) -> Q:
    condition = Q(pk__in=[])
    for p in paths:
        condition |= Q(**{f"{field}__prefix": p})
    return condition


def staff_list_for(*, user, query: str = "") -> QuerySet[User]:
    paths = scope_for(user, Action.USERS_MANAGE).paths
    in_scope = Grant.objects.filter(_under(paths, "area__path")).exclude(role=Role.RESIDENT)
    qs = User.objects.filter(pk__in=in_scope.values("user_id"))
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return qs.order_by("username")


def staff_get_for(*, user, pk: int) -> User:
    return get_object_or_404(staff_list_for(user=user), pk=pk)


def grants_of(*, staff: User) -> QuerySet[Grant]:
    """Every grant of an account already fetched through a scoped selector, newest first, for its page."""
    return (
        Grant.objects.filter(user=staff)
        .select_related("area", "unit", "requested_by", "decided_by")
        .order_by("-created_at", "-pk")
    )


def grant_list_for(*, user, status: str | None = GrantStatus.PENDING) -> QuerySet[Grant]:
    paths = scope_for(user, Action.GRANTS_MANAGE).paths
    qs = Grant.objects.filter(_under(paths, "area__path")).select_related(
        "user", "area", "unit", "requested_by", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def grant_get_for(*, user, pk: int) -> Grant:
    return get_object_or_404(grant_list_for(user=user, status=None), pk=pk)


def unit_list_for(*, user, query: str = "") -> QuerySet[Unit]:
    """The units placed under the areas of the user's `units.manage` grants."""
    paths = scope_for(user, Action.UNITS_MANAGE).paths
    qs = Unit.objects.filter(_under(paths, "area__path")).select_related("area", "parent")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return qs.order_by("area__path", "code")


def unit_get_for(*, user, pk: int) -> Unit:
    return get_object_or_404(unit_list_for(user=user), pk=pk)
