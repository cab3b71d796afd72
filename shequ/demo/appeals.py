"""Synthetic appeals for the demo: a responsibility list for the demo districts and appeals in every state.

Everything is written through the appeals services, so the timeline, the audit trail and the KPI rollups are
the same as for real traffic. Rules carry version "demo"; appeals are flagged synthetic. Seeded once: if
synthetic appeals exist, nothing is added.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shequ.accounts.models import Unit, User
from shequ.appeals import services
from shequ.appeals.kpis import kpis_rebuild
from shequ.appeals.models import Appeal, Assignment, Category, Event, ResponsibilityRule
from shequ.audit.context import audit_context
from shequ.geo.models import Area

# top-level category → district department slug (seed.DISTRICT_DEPARTMENTS)
DEPARTMENT_FOR = {
    "city_management": "CG",
    "housing_property": "ZJ",
    "environment": "HB",
    "traffic": "JT",
    "public_safety": "GA",
    "market_regulation": "SJ",
    "labour_social_security": "RS",
    "health": "WJ",
    "education": "JY",
    "civil_affairs": "MZ",
    "culture_sports": "WT",
    "utilities": "SW",
}
TEXTS = {
    "sanitation": [
        "小区门口垃圾堆积两天没人清运，气味很大",
        "楼下垃圾桶满了溢出来，苍蝇很多",
        "公园步道旁有建筑垃圾无人清理",
    ],
    "street_vending": ["地铁站出口晚上有流动摊贩占道，行人无法通行", "菜市场外面占道经营严重，堵住消防通道"],
    "noise": ["夜里十二点以后工地还在施工，噪音扰民", "楼下商铺音响声音太大，每天吵到深夜"],
    "parking": ["小区外道路两侧乱停车，公交车过不去", "消防通道被私家车长期占用"],
    "elevator": ["电梯经常故障停运，老人上下楼很困难", "电梯门关不严，担心有安全隐患"],
    "property_service": ["物业不处理楼道漏水，多次反映无果", "物业费上涨没有公示，业主不知情"],
    "water_supply": ["今天早上起整栋楼停水，没有任何通知", "自来水发黄有异味，不敢饮用"],
    "drainage": ["下雨后路口积水严重，车辆无法通行", "小区下水道堵塞，污水漫到路面"],
    "elderly_care": ["想给独居的父亲申请长者助餐服务，不知道去哪里办", "社区长者服务站开放时间太短"],
    "neighbourhood_dispute": ["楼上漏水到我家天花板，协商不成", "邻居在楼道堆放杂物，影响通行"],
    "wage_arrears": ["公司拖欠三个月工资不发，二十多名工人讨薪无门"],
    "road_damage": ["人行道地砖松动，老人容易摔倒", "路口井盖破损，存在安全隐患"],
    "food_safety": ["学校附近小餐馆卫生很差，吃完肚子不舒服"],
    "gas_safety": ["楼道里闻到燃气味，怀疑燃气泄漏"],
    "other_general": ["建议在社区公园增设一些遮阳座椅", "想咨询社区有没有周末的亲子活动"],
}


# Answers to the categories' required attributes (Open311 service definitions).
ATTRIBUTES = {
    "elevator": {"people_trapped": "no"},
    "noise": {"time_of_day": "night"},
    "wage_arrears": {"workers": "20"},
}


def seed_rules(*, streets: list[Area], lina_unit: Unit | None) -> int:
    created = 0
    today = date(2024, 1, 1)
    tops = {c.code: c for c in Category.objects.filter(parent__isnull=True)}
    districts = {s.parent for s in streets if s.parent is not None}
    for district in districts:
        for code, slug in DEPARTMENT_FOR.items():
            unit = Unit.objects.filter(code=f"{district.code}-{slug}").first()
            if unit and code in tops:
                _, made = ResponsibilityRule.objects.get_or_create(
                    category=tops[code],
                    area=district,
                    version="demo",
                    defaults={"lead_unit": unit, "effective_from": today, "note": "synthetic demo list"},
                )
                created += made
    for street in streets:
        office = Unit.objects.filter(code=f"{street.code}-JDB").first()
        if office and "community_affairs" in tops:
            _, made = ResponsibilityRule.objects.get_or_create(
                category=tops["community_affairs"],
                area=street,
                version="demo",
                defaults={"lead_unit": office, "effective_from": today, "note": "synthetic demo list"},
            )
            created += made
    if lina_unit is not None:
        # The cast's community worker handles sanitation and neighbourhood disputes in her community.
        for code in ("sanitation", "neighbourhood_dispute"):
            _, made = ResponsibilityRule.objects.get_or_create(
                category=Category.objects.get(code=code),
                area=lina_unit.area,
                version="demo",
                defaults={"lead_unit": lina_unit, "effective_from": today, "note": "synthetic demo list"},
            )
            created += made
    return created


def seed_appeals(rng: random.Random, *, streets: list[Area], cast: dict[str, User], count: int = 60) -> int:
    if Appeal.objects.filter(synthetic=True).exists():
        return 0
    lina = cast["lina"]
    lina_unit = Unit.objects.filter(grants__user=lina).first()
    seed_rules(streets=streets, lina_unit=lina_unit)
    communities = list(Area.objects.filter(parent__in=streets, level="community").order_by("code"))
    lina_area = lina_unit.area if lina_unit else communities[0]
    made = 0
    seeded: list[int] = []
    with audit_context(channel="command"):
        for i in range(count):
            code = rng.choice(sorted(TEXTS))
            text = rng.choice(TEXTS[code])
            area = lina_area if i % 3 == 0 else rng.choice(communities)
            by_resident = i % 4 == 0
            data = services.IntakeData(
                text=text,
                channel="portal" if by_resident else "hotline",
                category=code,
                area=area.code,
                contact_phone="13800000001" if by_resident else f"139{rng.randrange(10**8):08d}",
                contact_name="" if by_resident else "来电市民",
                attributes=ATTRIBUTES.get(code),
            )
            appeal = services.appeal_submit(
                actor=cast["zhangwei"] if by_resident else cast["sunli"],
                data=data,
                requester=cast["zhangwei"] if by_resident else None,
            )
            Appeal.objects.filter(pk=appeal.pk).update(synthetic=True)
            made += 1
            seeded.append(appeal.pk)
            if appeal.lead_unit_id is None:
                continue
            _advance(rng, appeal, cast, lina_unit)
        _spread_over_past_days(rng, seeded, days=HISTORY_DAYS)
        made += _seed_repeat_caller(lina_area, cast)
    return made


# The demo's appeals are spread over this many past days, so that the dashboard's trend has a history.
HISTORY_DAYS = 60
_APPEAL_TIMES = (
    "created_at",
    "dispatched_at",
    "signed_at",
    "contacted_at",
    "replied_at",
    "rated_at",
    "closed_at",
    "dispatch_due",
    "contact_due",
    "reply_due",
    "warned_at",
    "overdue_at",
)


def _spread_over_past_days(rng: random.Random, pks: list[int], *, days: int) -> None:
    """Move the seeded (synthetic) appeals back in time, oldest first, one every `days / len(pks)` days at an
    office hour, as if they had come in over the last `days` days: every time of an appeal (deadlines included),
    its timeline and its assignments move back by the same amount, its number takes the new day, and the KPI
    rollups are rebuilt from the timeline. Deadlines that have passed since then are found by the minute's
    deadline scan like any other. The audit trail keeps the true time of the seeding."""
    now = timezone.now()
    with transaction.atomic():
        appeals = Appeal.objects.in_bulk(pks)
        for i, pk in enumerate(pks):
            day = timezone.localtime(now - timedelta(days=days * (len(pks) - i) / len(pks)))
            when = day.replace(hour=rng.randint(8, 18), minute=rng.randrange(60), second=0, microsecond=0)
            appeal = appeals[pk]
            shift = appeal.created_at - when
            if shift <= timedelta(0):
                continue
            number = f"SQ{when:%Y%m%d}{appeal.number[10:]}"  # SQ + the day + the counter
            if Appeal.objects.filter(number=number).exclude(pk=pk).exists():
                number = appeal.number
            Appeal.objects.filter(pk=pk).update(number=number, **{f: F(f) - shift for f in _APPEAL_TIMES})
            Event.objects.filter(appeal_id=pk).update(at=F("at") - shift)
            Assignment.objects.filter(appeal_id=pk).update(
                created_at=F("created_at") - shift, ended_at=F("ended_at") - shift
            )
        kpis_rebuild()


# One caller rings the hotline three times in a day about the same building site: the early-warning detector's
# "repeated appeals from one person" signal shows on the dashboard and the warnings page of the demo.
REPEAT_CALLER = "13912340000"
REPEAT_TEXTS = [
    "华富路18号工地晚上十一点还在施工，噪音很大，影响休息",
    "又是华富路18号工地，半夜打桩，吵得孩子睡不着",
    "第三次反映华富路18号工地夜间施工扰民，请尽快处理",
]


def _seed_repeat_caller(area: Area, cast: dict[str, User]) -> int:
    for text in REPEAT_TEXTS:
        appeal = services.appeal_submit(
            actor=cast["sunli"],
            data=services.IntakeData(
                text=text,
                channel="hotline",
                category="noise",
                area=area.code,
                address="华富路18号",
                contact_phone=REPEAT_CALLER,
                contact_name="来电市民",
                attributes=ATTRIBUTES["noise"],
            ),
        )
        Appeal.objects.filter(pk=appeal.pk).update(synthetic=True)
    return len(REPEAT_TEXTS)


def _advance(rng: random.Random, appeal: Appeal, cast: dict[str, User], lina_unit: Unit | None) -> None:
    """Move some appeals along the workflow, as their units would."""
    if lina_unit is None or appeal.lead_unit_id != lina_unit.pk:
        return
    lina, stage = cast["lina"], rng.random()
    if stage < 0.25:
        return
    services.appeal_sign_for(actor=lina, appeal=appeal)
    if stage < 0.4:
        return
    services.appeal_start(actor=lina, appeal=appeal)
    services.appeal_contact(actor=lina, appeal=appeal, note="已电话联系诉求人")
    if stage < 0.55:
        return
    services.appeal_reply(actor=lina, appeal=appeal, text="已到现场核实处理，问题已解决，感谢您的反映。")
    if appeal.requester_id and stage > 0.7:
        services.appeal_evaluate(actor=cast["zhangwei"], appeal=appeal, rating=rng.choice([5, 5, 4, 3, 2]))
    elif stage > 0.7:
        services.appeal_evaluate(actor=cast["sunli"], appeal=appeal, rating=rng.choice([5, 4, 4, 3]))
