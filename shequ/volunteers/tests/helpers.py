"""Test helpers: volunteers, teams and activities made through the real services (STYLE.md §6)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from django.utils import timezone

from shequ.accounts.models import User
from shequ.core.idnumbers import make_id_number
from shequ.geo.models import Area
from shequ.volunteers import services
from shequ.volunteers.choices import availability_from_keys

_seq = itertools.count(1)


def huafu_community() -> Area:
    return Area.objects.filter(parent__name="华富街道", level="community").order_by("code").first()  # type: ignore[return-value]


def yuehai_community() -> Area:
    return Area.objects.filter(parent__name="粤海街道", level="community").order_by("code").first()  # type: ignore[return-value]


def make_account(username: str | None = None) -> User:
    n = next(_seq)
    user = User(username=username or f"vol{n:04d}", phone=f"1370000{n:04d}")
    user.set_password("Correct-horse-9")
    user.save()
    return user


def registration(
    *, born: date = date(1990, 3, 4), area: Area | None = None, skills=(), availability=("sat_am",), **over
) -> services.RegistrationData:
    n = next(_seq)
    data = services.RegistrationData(
        name=over.pop("name", "志愿测试"),
        id_number=make_id_number("440304", born, n % 500, "female"),
        phone=f"1380013{n:04d}",
        area=(area or huafu_community()).code,
        emergency_name="联系人",
        emergency_phone=f"1390013{n:04d}",
        skills=list(skills),
        availability=availability_from_keys(availability),
    )
    for k, v in over.items():
        setattr(data, k, v)
    return data


def make_volunteer(user: User | None = None, **kw):
    user = user or make_account()
    return services.volunteer_register(actor=user, data=registration(**kw))


def make_team(*, area: Area | None = None, managers=(), name: str | None = None):
    area = area or huafu_community()
    return services.team_create(
        actor=None, name=name or f"测试志愿服务队{next(_seq)}", area=area, managers=list(managers)
    )


def shift_data(
    *, start: datetime | None = None, hours: int = 2, capacity: int = 10, skills=(), place="社区广场"
):
    start = start or (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    return services.ShiftData(
        place=place,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=capacity,
        skills=list(skills),
    )


def make_activity(team, *, shifts=None, **kw):
    return services.activity_create(
        actor=None,
        team=team,
        title=kw.pop("title", "关爱长者上门探访"),
        shifts=shifts or [shift_data()],
        **kw,
    )
