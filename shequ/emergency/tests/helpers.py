"""Test helpers: people of 粤海街道 (王强's street), with accounts or not, and staff with emergency grants."""

from __future__ import annotations

import itertools
from datetime import date

from shequ.access.services import grant_bootstrap
from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.core.idnumbers import make_id_number
from shequ.demo.cast import DEMO_PASSWORD
from shequ.geo.models import Area
from shequ.residents.models import Resident
from shequ.residents.services import household_create, resident_create

_n = itertools.count(1)


def street(district: str = "440305", name: str = "粤海街道") -> Area:
    return Area.objects.get(parent__code=district, name=name)


def community(district: str = "440305", name: str = "粤海街道", index: int = 0) -> Area:
    return Area.objects.filter(parent=street(district, name), level="community").order_by("code")[index]


def person(
    area: Area,
    *,
    account: bool = False,
    phone: str = "",
    tags=(),
    name: str = "测试居民",
    born: date = date(1950, 3, 1),
    username: str = "",
) -> Resident:
    """A resident in `area`; with an account (signed in by phone) when asked."""
    n = next(_n)
    household = household_create(actor=None, area=area, room=f"{n}栋{n}01室")
    resident = resident_create(
        actor=None,
        household=household,
        name=name,
        id_number=make_id_number(area.code[:6], born, (n * 7) % 500, "female"),
        phone=phone,
        tags=tags,
    )
    if account:
        user = User(username=username or f"em_res_{n}", display_name=name, phone=phone, synthetic=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
        grant_bootstrap(user=user, role=Role.RESIDENT, area=area, reason="测试")
        Resident.objects.filter(pk=resident.pk).update(user=user)
        resident.refresh_from_db()
    return resident


def staff(username: str, role: str, area: Area, name: str = "测试人员") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=name, synthetic=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
    grant_bootstrap(user=user, role=role, area=area, reason="测试")
    return user
