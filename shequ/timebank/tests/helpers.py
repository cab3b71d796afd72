"""Test helpers: a confirmed-hours record as shequ.volunteers hands it to the hook, and residents with accounts."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from types import SimpleNamespace

from django.utils import timezone

from shequ.core.idnumbers import make_id_number
from shequ.geo.models import Area
from shequ.residents.models import Household, Resident
from shequ.residents.services import household_create, resident_create

_ids = itertools.count(1)


def hours_record(
    user,
    minutes: int,
    *,
    id: int | None = None,
    team=None,
    is_group: bool = False,
    at: datetime | None = None,
    activity=None,
):
    """What volunteers.hooks passes: id, user, minutes, team, is_group, confirmed_at, activity."""
    return SimpleNamespace(
        id=id if id is not None else 900_000 + next(_ids),
        user=user,
        minutes=minutes,
        team=team,
        is_group=is_group,
        confirmed_at=at or timezone.now(),
        activity=activity,
    )


def community(district: str = "440304", street: str = "华富街道", index: int = 0) -> Area:
    return Area.objects.filter(
        parent__parent__code=district, parent__name=street, level="community"
    ).order_by("code")[index]


_n = itertools.count(1)


def resident_for(
    user,
    *,
    household: Household | None = None,
    area: Area | None = None,
    born: date = date(1985, 3, 1),
    tags=(),
    name: str = "测试居民",
) -> Resident:
    """A resident record for a user, in a household (a new one in `area`, or the one given)."""
    n = next(_n)
    if household is None:
        household = household_create(actor=None, area=area or community(), room=f"{n}栋{n}01室")
    resident = resident_create(
        actor=None,
        household=household,
        name=name,
        id_number=make_id_number("440304", born, (n * 7) % 500, "female"),
        tags=tags,
    )
    # No service links a resident record to an account yet (registration does it for its own path).
    Resident.objects.filter(pk=resident.pk).update(user=user)
    resident.refresh_from_db()
    return resident
