"""Synthetic residents and households for the demo streets, written through the residents services.

Every row is flagged synthetic. ID numbers are generated with valid GB 11643 check digits for the district's
region code, so that they exercise the same validation, encryption and masking as real ones.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db.models import Q

from shequ.accounts.models import User
from shequ.core.crypto import hash_lookup
from shequ.core.idnumbers import id_region_of, make_id_number
from shequ.geo.models import Area
from shequ.residents.models import Resident
from shequ.residents.services import household_create, resident_create

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫波宇浩凯晨欣怡子涵梓轩思雨嘉琪俊熙"


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _person(rng: random.Random, region: str, *, born_after: int, born_before: int) -> dict:
    start = date(born_after, 1, 1)
    birth = start + timedelta(days=rng.randrange((date(born_before, 12, 31) - start).days))
    gender = rng.choice(("male", "female"))
    return {
        "name": _name(rng),
        "id_number": make_id_number(region, birth, rng.randrange(500), gender),
        "phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        "birth": birth,
    }


def _tags_for(rng: random.Random, person: dict, household_size: int, today: date) -> list[str]:
    age = (today - person["birth"]).days // 365
    tags = []
    if age >= 70 and household_size == 1:
        tags.append("elderly_alone")
    if age >= 80:
        tags.append("elderly_80")
    if age < 14 and rng.random() < 0.15:
        tags.append("left_behind_child")
    if rng.random() < 0.04:
        tags.append("dibao")
    if rng.random() < 0.03:
        tags.append("disabled")
    if 20 <= age <= 60 and rng.random() < 0.05:
        tags.append("volunteer")
    return tags


def seed_residents(rng: random.Random, *, streets: list[Area], cast: dict[str, User]) -> int:
    """1–2 households per estate in the demo streets; the resident `zhangwei` gets the first 华富 household."""
    today = date.today()
    created = 0
    under_streets = Q(pk__in=[])
    for street in streets:
        under_streets |= Q(path__prefix=street.path)
    estates = list(Area.objects.filter(under_streets, level="estate").order_by("code"))
    for estate in estates:
        district = estate.path.split("/")[2]
        region = id_region_of(district)
        for _household in range(rng.randint(1, 2)):
            size = rng.choice((1, 1, 2, 3, 3, 4))
            room = f"{rng.randint(1, 30)}{rng.randint(1, 8):02d}室"
            members = [_person(rng, region, born_after=1940, born_before=1995)]
            for _ in range(size - 1):
                members.append(_person(rng, region, born_after=1950, born_before=2022))
            # Draw every random value before looking at the database, so that a re-run with the same seed
            # walks the same sequence whether or not it skips households seeded before.
            for i, person in enumerate(members):
                person["relation"] = "户主" if i == 0 else rng.choice(("配偶", "子女", "父母", "其他"))
                person["tags"] = _tags_for(rng, person, size, today)
            head_lookup = hash_lookup(Resident, "id_number", members[0]["id_number"])
            if Resident.objects.filter(**head_lookup).exists():
                continue  # seeded before: same seed, same people
            household = household_create(actor=None, area=estate, room=room, synthetic=True)
            for person in members:
                if Resident.objects.filter(
                    **hash_lookup(Resident, "id_number", person["id_number"])
                ).exists():
                    continue  # a generated ID number collided with an earlier person's
                resident_create(
                    actor=None,
                    household=household,
                    name=person["name"],
                    id_number=person["id_number"],
                    phone=person["phone"] if (today - person["birth"]).days > 16 * 365 else "",
                    relation=person["relation"],
                    tags=person["tags"],
                    synthetic=True,
                )
                created += 1
    _link_resident_account(cast.get("zhangwei"), street_name="华富街道")
    return created


def _link_resident_account(user: User | None, *, street_name: str) -> None:
    """The cast's resident 张伟 is the head of the first household seeded in his street."""
    if user is None or Resident.objects.filter(user=user).exists():
        return
    street = Area.objects.filter(level="street", name=street_name).first()
    head = (
        (
            Resident.objects.filter(area__path__prefix=street.path, relation="户主", synthetic=True)
            .order_by("id")
            .first()
        )
        if street
        else None
    )
    if head is not None:
        Resident.objects.filter(pk=head.pk).update(user=user, name=user.display_name or head.name)
