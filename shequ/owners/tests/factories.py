"""Estates with unit registers for tests, made through the real services."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from PIL import Image

from shequ.access.services import grant_bootstrap
from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.geo.models import Area

from ..register import owner_create, part_create
from ..services import vote_create, vote_publish


def make_estate(street: str = "华富街道", code_suffix: str = "9901") -> Area:
    """An estate (grid → estate) under the first community of the street."""
    street_area = Area.objects.get(level="street", name=street, parent__code__in=["440304", "440305"])
    community = Area.objects.filter(parent=street_area, level="community").order_by("code").first()
    grid, _ = Area.objects.get_or_create(
        code=f"{community.code}{code_suffix[:2]}",
        defaults={"level": "grid", "name": "测试网格", "parent": community, "synthetic": True},
    )
    estate, _ = Area.objects.get_or_create(
        code=f"{grid.code}{code_suffix[2:]}",
        defaults={"level": "estate", "name": "测试花园", "parent": grid, "synthetic": True},
    )
    return estate


def second_clerk(username: str = "lina2") -> User:
    user = User.objects.create(username=username, display_name="李娜二")
    street = Area.objects.get(level="street", name="华富街道")
    grant_bootstrap(user=user, role=Role.COMMUNITY_WORKER, area=street, reason="test")
    return user


def register(estate: Area, *, owners: int = 6, unsold: int = 0, area: str = "100.00") -> list:
    """`owners` owners with one part each, then `unsold` developer parts; returns the owners."""
    made = []
    for i in range(owners):
        owner = owner_create(actor=None, estate=estate, name=f"业主{i:02d}")
        part_create(
            actor=None, estate=estate, number=f"1-{i + 1:03d}", area_registered=Decimal(area), owners=[owner]
        )
        made.append(owner)
    for j in range(unsold):
        part_create(
            actor=None,
            estate=estate,
            number=f"9-{j + 1:03d}",
            area_contract=Decimal(area),
            developer_unsold=True,
        )
    return made


def open_vote(estate: Area, *, actor=None, items=(4, 6), now=None, days_open: int = 7):
    """A vote published 15 days ago, open now, closing in `days_open` days."""
    now = now or timezone.now()
    vote = vote_create(
        actor=actor,
        estate=estate,
        title="续聘物业与筹集维修资金",
        convener="residents_committee",
        convener_name="测试社区居民委员会",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=days_open),
        matters=[(f"事项{i}", item) for i, item in enumerate(items, start=1)],
    )
    return vote_publish(actor=actor, vote=vote, now=now - timedelta(days=16))


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(out, "PNG")
    out.seek(0)
    out.name = "scan.png"
    return out
