"""Test data made through the services, as users make it (STYLE.md §6)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shequ.participation import services
from shequ.participation.models import Category


def cat(code: str = "elderly") -> Category:
    return Category.objects.get(code=code)


def need(actor, area, title: str = "楼道需要扶手", **kw):
    return services.need_post(
        actor=actor,
        area=area,
        category=kw.pop("category", cat()),
        title=title,
        description=kw.pop("description", "3栋楼道没有扶手，老人上下楼不方便。"),
        **kw,
    )


def meeting(actor, area, *, starts_in=timedelta(minutes=10), **kw):
    start = timezone.now() + starts_in
    return services.meeting_create(
        actor=actor,
        area=area,
        kind=kw.pop("kind", "council"),
        title=kw.pop("title", "居民议事会：楼道扶手"),
        agenda=kw.pop("agenda", "一、楼道扶手安装；二、费用来源"),
        place=kw.pop("place", "社区党群服务中心"),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        **kw,
    )
