"""Synthetic demo data for owners' decisions (flagged synthetic): a unit register in one estate of every district
that has seeded estates (the cast's street where there is one), with buyers of several parts, co-owners and the
developer's unsold parts; in every such estate a finished vote (final result published) and an open one. The cast's
resident 张伟 is an owner in his estate, linked through his resident record. Idempotent: an estate that already has
a register is left as it is. Made through the services, so the ballots are chained like real ones."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shequ.geo.models import Area
from shequ.residents.models import Resident

from . import services
from .choices import Channel
from .models import Owner, Part, RollEntry
from .register import owner_create, part_create

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鹏飞斌宇浩凯健俊帆帅旭")
PREFERRED_STREETS = ("华富街道", "粤海街道")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _estates() -> list[Area]:
    """One estate per district: under the cast's street if the district has it, else the first by code."""
    preferred = list(
        Area.objects.filter(level="street", name__in=PREFERRED_STREETS).values_list("path", flat=True)
    )
    chosen: dict[str, Area] = {}
    for estate in (
        Area.objects.filter(level="estate").order_by("code").only("pk", "code", "path", "name", "level")
    ):
        district = estate.path.split("/")[2]
        here = any(estate.path.startswith(p) for p in preferred)
        current = chosen.get(district)
        if current is None or (here and not any(current.path.startswith(p) for p in preferred)):
            chosen[district] = estate
    # 张伟's estate stands for 福田区.
    home = Resident.objects.filter(user__username="zhangwei").select_related("area").first()
    if home is not None and home.area.level == "estate":
        chosen[home.area.path.split("/")[2]] = home.area
    return [chosen[d] for d in sorted(chosen)]


def _register(rng: random.Random, estate: Area) -> list[Owner]:
    owners: list[Owner] = []
    home = Resident.objects.filter(user__username="zhangwei", area=estate).first()
    if home is not None:
        owners.append(owner_create(actor=None, estate=estate, name=home.name, resident=home, synthetic=True))
    number = 0

    def part(owner_list, unsold=False):
        nonlocal number
        number += 1
        building, room = divmod(number - 1, 16)
        source = rng.choice(("area_registered", "area_registered", "area_surveyed", "area_contract"))
        part_create(
            actor=None,
            estate=estate,
            number=f"{building + 1}栋{room // 4 + 1}{room % 4 + 1:02d}",
            developer_unsold=unsold,
            owners=owner_list,
            synthetic=True,
            audit=False,
            **{source: Decimal(rng.randint(5500, 14500)) / 100},
        )

    if owners:
        part(owners[:1])
        part(owners[:1])  # 张伟 holds two flats: one person
    while number < 44:
        kind = rng.random()
        if kind < 0.1:
            pair = [
                owner_create(actor=None, estate=estate, name=_name(rng), synthetic=True) for _ in range(2)
            ]
            owners += pair
            part(pair)  # co-owners
        else:
            owner = owner_create(actor=None, estate=estate, name=_name(rng), synthetic=True)
            owners.append(owner)
            part([owner])
            if kind > 0.92:
                part([owner])  # a buyer of two
    for _ in range(4):
        part([], unsold=True)
    return owners


def _cast_all(
    rng: random.Random, vote, *, share: float, yes: float, now, skip: frozenset[str] | set[str] = frozenset()
) -> None:
    persons = sorted(set(RollEntry.objects.filter(vote=vote).values_list("person", flat=True)))
    matters = [str(p) for p in vote.matters.values_list("position", flat=True)]
    for person in persons:
        if person == "dev" or rng.random() > share or person in skip:
            continue
        choices = {m: ("yes" if rng.random() < yes else rng.choice(("no", "abstain"))) for m in matters}
        with transaction.atomic():
            locked = services._lock(vote)  # the services' own lock and chain, as a paper ballot counted
            services._cast(
                vote=locked,
                person=person,
                choices=choices,
                channel=Channel.PAPER,
                cast_by=None,
                change=False,
                now=now,
            )


def seed_owners(*, seed: int = 1) -> int:
    """Returns the number of parts created."""
    rng = random.Random(seed + 278)  # noqa: S311 - reproducible demo data
    created = 0
    now = timezone.now()
    for estate in _estates():
        if Part.objects.filter(estate=estate).exists():
            continue
        _register(rng, estate)
        created += Part.objects.filter(estate=estate).count()
        committee = f"{estate.name}业主委员会"
        # A finished vote: closed two months ago, its result final.
        done = services.vote_create(
            actor=None,
            estate=estate,
            title="续聘物业服务企业及公共收益使用",
            convener="owners_committee",
            convener_name=committee,
            opens_at=now - timedelta(days=75),
            closes_at=now - timedelta(days=60),
            matters=[("续聘现物业服务企业三年", 4), ("利用电梯广告收益增设充电桩", 8)],
            synthetic=True,
            now=now - timedelta(days=95),
        )
        services.vote_publish(actor=None, vote=done, now=now - timedelta(days=95))
        _cast_all(rng, done, share=0.85, yes=0.8, now=now - timedelta(days=70))
        # The whole history, as the services would have made it over three months.
        services.vote_publish_preliminary(actor=None, vote=done, now=now - timedelta(days=59))
        services.vote_finalize(actor=None, vote=done, now=now - timedelta(days=50))
        # An open vote: the notice went out 20 days ago, voting until next week.
        open_vote = services.vote_create(
            actor=None,
            estate=estate,
            title="使用专项维修资金更换电梯",
            convener="residents_committee" if rng.random() < 0.5 else "owners_committee",
            convener_name=committee,
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=10),
            matters=[("使用维修资金更换2栋两部电梯", 5), ("修订管理规约第十二条（停车管理）", 2)],
            synthetic=True,
            now=now - timedelta(days=20),
        )
        services.vote_publish(actor=None, vote=open_vote, now=now - timedelta(days=20))
        # Some owners have voted already; 张伟 has not (his journey casts his own ballot).
        _cast_all(
            rng,
            open_vote,
            share=0.4,
            yes=0.7,
            now=now - timedelta(days=1),
            skip=_persons_of("zhangwei", open_vote),
        )
    return created


def _persons_of(username: str, vote) -> set[str]:
    mine = set(
        Owner.objects.filter(Q(resident__user__username=username) | Q(user__username=username)).values_list(
            "pk", flat=True
        )
    )
    return {
        p
        for p in RollEntry.objects.filter(vote=vote).values_list("person", flat=True)
        if mine & services.owners_in(p)
    }
