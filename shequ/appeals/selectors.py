"""Reads of appeals, always scoped: the area under the user's grants, the units he acts for, or his own."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from shequ.access.scoping import scope_for, user_roles
from shequ.accounts.models import Grant
from shequ.accounts.roles import Action, Role
from shequ.core.errors import NotFound
from shequ.geo.models import Area

from .models import Appeal, Assignment, Category


def _unit_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Grant.objects.active().filter(user=user, unit__isnull=False).values_list("unit_id", flat=True)
    )


def visible_appeals(user) -> QuerySet[Appeal]:
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    condition = Q(requester=user)
    for path in scope_for(user, Action.APPEALS_VIEW).paths:
        condition |= Q(area__path__prefix=path)
    units = _unit_ids(user)
    if units:
        assigned = Exists(Assignment.objects.filter(appeal=OuterRef("pk"), unit_id__in=units, active=True))
        condition = condition | Q(lead_unit_id__in=units) | Q(assigned)
    return Appeal.objects.filter(condition)


def appeal_may_list(*, user) -> bool:
    """Staff list the appeals of their areas and units, residents their own; anyone else is refused (403), as
    every protected endpoint refuses a user without the role (DESIGN.md §8)."""
    if not scope_for(user, Action.APPEALS_VIEW).empty or _unit_ids(user):
        return True
    return Role.RESIDENT in user_roles(user) or Appeal.objects.filter(requester=user).exists()


QUEUES = {
    "to_dispatch": Q(status="submitted"),
    "to_sign": Q(status="dispatched"),
    "in_progress": Q(status__in=["signed_for", "in_progress"]),
    "replied": Q(status="replied"),
    "near_due": Q(
        status__in=["dispatched", "signed_for", "in_progress"],
        warned_at__isnull=False,
        overdue_at__isnull=True,
    ),
    "overdue": Q(status__in=["dispatched", "signed_for", "in_progress"], overdue_at__isnull=False),
    "returned": Q(status="submitted", return_count__gt=0),
    "supervised": Q(
        supervised=True, status__in=["submitted", "dispatched", "signed_for", "in_progress", "replied"]
    ),
}


def appeal_list_for(
    *,
    user,
    status: str | None = None,
    category: str | None = None,
    area: str | None = None,
    unit: str | None = None,
    channel: str | None = None,
    urgency: str | None = None,
    queue: str | None = None,
    q: str | None = None,
    created_from=None,
    created_to=None,
    mine: bool = False,
) -> QuerySet[Appeal]:
    qs = visible_appeals(user)
    if status:
        qs = qs.filter(status=status)
    if category:
        cat = Category.objects.filter(code=category).first()
        if cat is None:
            raise NotFound(f"Unknown category {category!r}.", fields={"category": category})
        qs = qs.filter(Q(category=cat) | Q(category__parent=cat))
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(f"No area has the code {area!r}.", fields={"area": area})
        qs = qs.filter(area__path__prefix=path)
    if unit:
        qs = qs.filter(lead_unit__code=unit)
    if channel:
        qs = qs.filter(channel=channel)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if queue:
        if queue not in QUEUES:
            raise NotFound(f"Unknown queue {queue!r}.", fields={"queue": queue})
        qs = qs.filter(QUEUES[queue])
    if q:
        qs = qs.filter(Q(number=q) | Q(text__contains=q))
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lt=created_to)
    if mine:
        qs = qs.filter(requester=user)
    return qs.select_related("category", "area", "lead_unit").order_by("-created_at", "-id")


def appeal_get_for(*, user, pk: int) -> Appeal:
    appeal = (
        visible_appeals(user)
        .select_related("category", "category__parent", "area", "lead_unit", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise NotFound("No appeal with this id.")
    return appeal
