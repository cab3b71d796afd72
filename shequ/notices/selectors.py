"""Reads of notices. The public reads show what is published and unexpired; the staff list is scoped."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shequ.access.scoping import visible_to
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound
from shequ.geo.models import Area

from .models import Notice


def _live(now: datetime) -> QuerySet[Notice]:
    return Notice.objects.filter(published_at__lte=now, withdrawn_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def notices_for_area(*, area: Area | None, now: datetime, limit: int = 50) -> list[Notice]:
    """What the residents of `area` read: the notices of the area, of every area above it, and of the areas
    under it (a street's page shows its communities' notices too); pinned first, newest first. One query.
    Without an area: the city-wide notices."""
    qs = _live(now).select_related("area")
    if area is None:
        qs = qs.filter(area__level="city")
    else:
        qs = qs.filter(Q(area__code__in=area.ancestor_codes) | Q(area__path__prefix=area.path))
    return list(qs.order_by("-pinned", "-published_at", "-id")[:limit])


def notice_get_public(*, pk: int, now: datetime) -> Notice:
    notice = _live(now).select_related("area").filter(pk=pk).first()
    if notice is None:
        raise NotFound(_("No notice with this id."))
    return notice


def notice_list_for(*, user) -> QuerySet[Notice]:
    """The staff list: the notices of the areas where the user may publish."""
    return (
        visible_to(Notice.objects.all(), user, Action.NOTICES_PUBLISH)
        .select_related("area")
        .order_by("-published_at", "-id")
    )


def notice_get_for(*, user, pk: int) -> Notice:
    notice = notice_list_for(user=user).filter(pk=pk).first()
    if notice is None:
        raise NotFound(_("No notice with this id."))
    return notice
