"""Synthetic time bank history for the demo (`make demo`), in every district of the city, through the services.

Per district: a few synthetic residents (a volunteer, his elderly parent in the same household, neighbours) in the
first community of its first street, their earnings for volunteer hours over the last two months (some served in
the next community, so that the 通存通兑 settlement report has something to show), group hours to the community
pool, a transfer to the parent, donations (one to another district's pool), help requests (paid, and one still
open), and a 爱心超市 with goods and a few redemptions. In 华富街道 the cast's 张伟 gets his history and his
mother 王秀兰 (same household), and 李娜 issues credits to a key elderly resident. Every person and account is
flagged synthetic. Idempotent: a second run creates nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shequ.core.idnumbers import id_region_of, make_id_number
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.residents.models import Household, Resident
from shequ.residents.services import household_create, resident_create

from . import services
from .choices import AccountKind
from .models import Account, Goods, TimebankRule

SYNTHETIC_MEMO = "（演示）"
GOODS = [("大米 5kg", 180), ("食用油 1.8L", 120), ("洗衣液", 90), ("毛巾", 30), ("鸡蛋 10个", 60)]
ACTIVITIES = ["关爱长者上门探访", "社区环境清洁", "垃圾分类督导", "儿童课业辅导", "智能手机教学", "义诊导医"]
NAMES = [
    "陈志强",
    "林晓燕",
    "黄建华",
    "吴丽娟",
    "周国栋",
    "郑美玲",
    "何俊杰",
    "罗淑芬",
    "梁伟明",
    "谢雅婷",
    "许家豪",
]
ELDERS = [
    "陈桂英",
    "林秀珍",
    "黄玉兰",
    "吴凤英",
    "周淑华",
    "郑素梅",
    "何翠花",
    "罗金凤",
    "梁月娥",
    "谢兰英",
    "许美华",
]


def _communities(district: Area) -> list[Area]:
    street = (
        Area.objects.filter(level=AreaLevel.STREET, parent=district, children__level=AreaLevel.COMMUNITY)
        .order_by("code")
        .first()
    )
    if street is None:
        return []
    return list(Area.objects.filter(level=AreaLevel.COMMUNITY, parent=street).order_by("code")[:2])


def _person(
    *,
    username: str,
    name: str,
    phone: str,
    household: Household,
    birth: date,
    password: str,
    seq: int,
    tags=(),
):
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(username=username, display_name=name, phone=phone, synthetic=True)
        user.set_password(password)
        user.save()
    elif Resident.objects.filter(user=user).exists():
        return user
    district = household.area.path.split("/")[2]
    region = id_region_of(district)
    resident = resident_create(
        actor=None,
        household=household,
        name=name,
        id_number=make_id_number(region, birth, seq % 500, "female" if seq % 2 else "male"),
        phone=phone,
        tags=tags,
        synthetic=True,
    )
    # No service links a resident record to an account (registration links its own); the demo does it directly.
    Resident.objects.filter(pk=resident.pk).update(user=user)
    return user


def _people(i: int, district: Area, home: Area, password: str) -> list:
    """The district's volunteer, his elderly mother in his household and a neighbour: their accounts and resident
    records, made afresh where missing (a reseed after the residents were removed writes the same records again,
    as the residents' seeder does)."""
    usernames = [f"tb_{district.code}_{n}" for n in (1, 2, 3)]
    existing = set(
        Resident.objects.filter(user__username__in=usernames).values_list("user__username", flat=True)
    )
    if len(existing) == len(usernames):
        user_model = get_user_model()
        return [user_model.objects.get(username=u) for u in usernames]
    hh_family = household_create(actor=None, area=home, room=f"{i + 1}栋{i + 1}01室", synthetic=True)
    hh_other = household_create(actor=None, area=home, room=f"{i + 1}栋{i + 1}02室", synthetic=True)
    base = 1000 + i * 10
    volunteer = _person(
        username=f"tb_{district.code}_1",
        name=NAMES[i % len(NAMES)],
        phone=f"1370000{base + 1:04d}",
        household=hh_family,
        birth=date(1980 + i % 10, 3, 5),
        password=password,
        seq=base + 1,
    )
    elder = _person(
        username=f"tb_{district.code}_2",
        name=ELDERS[i % len(ELDERS)],
        phone=f"1370000{base + 2:04d}",
        household=hh_family,
        birth=date(1942 + i % 8, 8, 12),
        password=password,
        seq=base + 2,
        tags=("elderly_80",),
    )
    neighbour = _person(
        username=f"tb_{district.code}_3",
        name=NAMES[(i + 5) % len(NAMES)],
        phone=f"1370000{base + 3:04d}",
        household=hh_other,
        birth=date(1990 + i % 8, 11, 20),
        password=password,
        seq=base + 3,
    )
    return [volunteer, elder, neighbour]


def _store(rng: random.Random, area: Area):
    store = services.store_open(actor=None, name=f"{area.name}爱心超市", area=area, synthetic=True)
    for goods_name, price in GOODS:
        services.goods_add(actor=None, store=store, name=goods_name, price=price, stock=rng.randint(5, 30))
    return store


def _earn(rng: random.Random, user, *, ref: str, place: Area, days_ago: int, group: bool = False) -> None:
    minutes = rng.choice((60, 90, 120, 150, 180))
    services.timebank_earn(
        hours=services.Hours(
            ref=f"demo:{ref}",
            user=user,
            minutes=minutes,
            is_group=group,
            confirmed_at=timezone.now() - timedelta(days=days_ago, hours=rng.randint(0, 8)),
            place=place,
            what=rng.choice(ACTIVITIES) + SYNTHETIC_MEMO,
        )
    )


@transaction.atomic
def seed_timebank(*, seed: int = 1, password: str) -> int:
    """The demo's ledger history; answers how many transfers it made (0 when it ran before)."""
    from .models import Transfer

    if Account.objects.filter(
        kind=AccountKind.RESIDENT, synthetic=True, owner__username__startswith="tb_"
    ).exists():
        for i, district in enumerate(Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code")):
            communities = _communities(district)
            if communities:
                _people(i, district, communities[0], password)
        his = Resident.objects.filter(user__username="zhangwei").select_related("household").first()
        if his is not None and get_user_model().objects.filter(username="wangxiulan").exists():
            _mother(his.household, password)
        return 0
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    before = Transfer.objects.count()
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code"))
    # Caps as data, as two cities publish them: 长宁-style in 南山区, 南京-style in 龙岗区.
    for code, name, daily, lifetime in (
        ("440305", "南山区（每日2、累计600上限）", 120, 36_000),
        ("440307", "龙岗区（累计1500小时）", None, 90_000),
    ):
        area = Area.objects.filter(code=code).first()
        if area is not None:
            TimebankRule.objects.get_or_create(
                area=area,
                defaults={
                    "name": name,
                    "rate": Decimal(1),
                    "daily_earn_cap": daily,
                    "lifetime_earn_cap": lifetime,
                },
            )
    plan: list[tuple[Area, list[Area], list]] = []
    stores = []
    for i, district in enumerate(districts):
        communities = _communities(district)
        if not communities:
            # 深汕特别合作区: the city pack has its streets but not its village committees. Its 爱心超市 sits in the
            # first street, and residents of other districts redeem there (通存通兑).
            street = Area.objects.filter(level=AreaLevel.STREET, parent=district).order_by("code").first()
            if street is not None:
                stores.append(_store(rng, street))
            continue
        home = communities[0]
        volunteer, elder, neighbour = _people(i, district, home, password)
        plan.append((district, communities, [volunteer, elder, neighbour]))
        stores.append(_store(rng, home))
    for district, communities, (volunteer, elder, neighbour) in plan:
        home, away = communities[0], communities[-1]
        for n in range(6):
            _earn(
                rng,
                volunteer,
                ref=f"{district.code}:v{n}",
                place=away if n % 3 == 0 else home,
                days_ago=60 - n * 9,
            )
            _earn(rng, neighbour, ref=f"{district.code}:n{n}", place=home, days_ago=58 - n * 9)
        _earn(rng, volunteer, ref=f"{district.code}:g", place=home, days_ago=20, group=True)
        services.family_link_declare(actor=volunteer, phone=elder.phone, relation="母亲")
        services.timebank_transfer_to_family(
            actor=volunteer,
            to_account=services.account_open(user=elder),
            minutes=120,
            memo="给妈妈" + SYNTHETIC_MEMO,
        )
        services.timebank_donate(
            actor=neighbour, minutes=60, pool_area=home, memo="捐给社区" + SYNTHETIC_MEMO
        )
        paid = services.help_request_create(
            actor=elder, kind="hospital", description="陪我去社康复诊" + SYNTHETIC_MEMO, minutes=90
        )
        services.help_request_act(actor=neighbour, request=paid, action="accept")
        services.help_request_act(actor=elder, request=paid, action="complete")
        services.help_request_create(
            actor=elder, kind="visit", description="周末来陪我聊聊天" + SYNTHETIC_MEMO, minutes=30
        )
        goods = Goods.objects.filter(store__area=home).order_by("price").first()
        if goods is not None:
            services.goods_redeem(actor=neighbour, goods=goods)
    # 通存通兑 across districts: each district's volunteer donates to the next district's pool and redeems there.
    for (_d, _c, (volunteer, _e, _n)), (_d2, communities2, _p2) in zip(
        plan, plan[1:] + plan[:1], strict=True
    ):
        services.timebank_donate(
            actor=volunteer, minutes=30, pool_area=communities2[0], memo="异地捐赠" + SYNTHETIC_MEMO
        )
    for (_d, _c, (volunteer, _e, _n)), store in zip(plan, stores[1:] + stores[:1], strict=False):
        cheapest = Goods.objects.filter(store=store).order_by("price").first()
        if cheapest is not None:
            services.goods_redeem(actor=volunteer, goods=cheapest)
    # The cast: 张伟 (华富街道) and his mother, and credits 李娜 issues to a key elderly resident of her street.
    _seed_cast_family(rng, password=password)
    return Transfer.objects.count() - before


def _mother(household: Household, password: str):
    """张伟's mother 王秀兰, in his household (her record made again where missing)."""
    return _person(
        username="wangxiulan",
        name="王秀兰",
        phone="13800000031",
        household=household,
        birth=date(1948, 4, 2),
        password=password,
        seq=7,
        tags=("elderly_80",),
    )


def _seed_cast_family(rng: random.Random, *, password: str) -> None:
    user_model = get_user_model()
    zhangwei = user_model.objects.filter(username="zhangwei").first()
    home = Resident.objects.filter(user=zhangwei).select_related("household", "household__area").first()
    if zhangwei is None or home is None:
        return
    mother = _mother(home.household, password)
    place = services.account_open(user=zhangwei).area or home.area
    for n in range(5):
        _earn(rng, zhangwei, ref=f"zhangwei:{n}", place=place, days_ago=40 - n * 8)
    services.family_link_declare(actor=zhangwei, phone="13800000031", relation="母亲")
    lina = user_model.objects.filter(username="lina").first()
    if lina is not None:
        mother_resident = Resident.objects.get(user=mother)
        services.timebank_issue(
            actor=lina, resident=mother_resident, minutes=300, reason="重点老人月度发放" + SYNTHETIC_MEMO
        )
