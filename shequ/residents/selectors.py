"""Reads of residents, always scoped (STYLE.md §2): out of scope looks exactly like missing."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from shequ.access.scoping import scope_for, visible_to
from shequ.accounts.roles import Action
from shequ.core.crypto import hash_lookup
from shequ.core.errors import NotFound
from shequ.geo.models import Area

from .models import Household, Resident, Tag, minor_cutoff


def _scoped(user, action: str) -> QuerySet[Resident]:
    qs = visible_to(Resident.objects.all(), user, action)
    # PIPL Art. 28: under-14s only where the user may see minors (or it is the resident's own record).
    minors_ok = Q(birth_date__lte=minor_cutoff())
    if getattr(user, "is_authenticated", False):
        minors_ok |= Q(user=user)
    for path in scope_for(user, Action.RESIDENTS_VIEW_MINORS).paths:
        minors_ok |= Q(area__path__prefix=path)
    return qs.filter(minors_ok)


def resident_list_for(
    *,
    user,
    area: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
    household: int | None = None,
    action: str = Action.RESIDENTS_VIEW,
) -> QuerySet[Resident]:
    qs = _scoped(user, action)
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None:
            raise NotFound(f"No area has the code {area!r}.", fields={"area": area})
        qs = qs.filter(area__path__prefix=path)
    if tag:
        qs = qs.filter(tags__code=tag)
        if Tag.objects.filter(code=tag, vulnerable=True).exists():
            # Who is in a special group is itself sensitive: the filter finds them only where the user may see it.
            qs = visible_to(qs, user, Action.CARE_GROUPS_VIEW)
    if q:
        qs = qs.filter(name__contains=q)
    if phone:
        qs = qs.filter(**hash_lookup(Resident, "phone", phone))
    if id_number:
        qs = qs.filter(**hash_lookup(Resident, "id_number", id_number))
    if household:
        qs = qs.filter(household_id=household)
    return qs.select_related("area", "household__area").prefetch_related("tags").order_by("id")


def resident_get_for(*, user, pk: int, action: str = Action.RESIDENTS_VIEW) -> Resident:
    resident = (
        _scoped(user, action)
        .select_related("area", "household__area")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if resident is None:
        raise NotFound(gettext("No resident with this id."))
    return resident


def household_get_for(*, user, pk: int, action: str = Action.RESIDENTS_EDIT) -> Household:
    household = visible_to(Household.objects.select_related("area"), user, action).filter(pk=pk).first()
    if household is None:
        raise NotFound(gettext("No household with this id."))
    return household


def tags_for(user) -> QuerySet[Tag]:
    """The tags a user may filter residents by: the special groups only for those who may see them somewhere."""
    qs = Tag.objects.all()
    if scope_for(user, Action.CARE_GROUPS_VIEW).empty:
        qs = qs.filter(vulnerable=False)
    return qs
