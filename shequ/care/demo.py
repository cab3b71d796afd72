"""Synthetic care data for the demo (`make demo`), through the services, flagged synthetic, across districts.

Social-work stations in the demo streets (one street left without, so the coverage figure has a gap to show),
a provider of elder and child services per district, special-group memberships with evidence for synthetic elders
and children, the discovery queue (a grid report, 48 hours without water, an elder not visited, one dismissed),
open and closed cases in 华富街道 (徐丽's) and in 粤海街道, service orders with ratings, and a minors' protection
report. Idempotent: a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from shequ.accounts.models import Unit, User
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.residents.models import Resident, minor_cutoff

from . import services
from .choices import DiscoveryKind
from .models import Case, Provider

DISTRICTS = ("440304", "440305", "440303")
NEEDS = {"living": "2", "health": "1", "income": "1", "housing": "0", "family": "2", "safety": "1"}


def _residents(street: Area, *, elders: bool) -> list[Resident]:
    qs = Resident.objects.filter(synthetic=True, area__path__startswith=street.path).select_related("area")
    today = timezone.localdate()
    if elders:
        qs = qs.filter(birth_date__lte=today.replace(year=today.year - 65))
    else:
        qs = qs.filter(birth_date__gt=minor_cutoff())
    return list(qs.order_by("pk")[:6])


def seed_care(*, seed: int = 1) -> dict[str, int]:
    if Case.objects.filter(synthetic=True).exists():
        return {}
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not secrets
    counts = {"stations": 0, "memberships": 0, "discoveries": 0, "cases": 0, "orders": 0}
    users = {u.username: u for u in User.objects.filter(username__in=["xuli", "hejun", "lina"])}
    today = timezone.localdate()
    review = today + dt.timedelta(days=180)
    for code in DISTRICTS:
        district = Area.objects.filter(code=code).first()
        if district is None:
            continue
        streets = list(Area.objects.filter(parent=district, level=AreaLevel.STREET).order_by("code"))
        for street in streets[:-1] if code == "440303" else streets:
            unit = Unit.objects.filter(code=f"{street.code}-SGZ").first()
            services.station_ensure(actor=None, street=street, name=f"{street.name}社工站", unit=unit)
            counts["stations"] += 1
        Provider.objects.get_or_create(
            name=f"{district.name}长者服务中心（演示）",
            area=district,
            defaults={"kinds": ["meal", "bathing", "escort", "home_visit"], "synthetic": True},
        )
    for street_name, district_code in (
        ("华富街道", "440304"),
        ("粤海街道", "440305"),
        ("桂园街道", "440303"),
    ):
        found = Area.objects.filter(parent__code=district_code, name=street_name).first()
        if found is None:
            continue
        street = found
        elders, children = _residents(street, elders=True), _residents(street, elders=False)
        for i, elder in enumerate(elders):
            tag, level = [
                ("elderly_alone", ""),
                ("dibao", ""),
                ("disabled", "二级"),
                ("empty_nest", ""),
                ("tekun", ""),
            ][i % 5]
            services.membership_record(
                actor=None,
                resident=elder,
                tag=tag,
                level=level,
                evidence=rng.choice(["民政局认定书（演示）", "残疾人证（演示）", "网格走访记录（演示）"]),
                source=rng.choice(["civil_affairs", "grid_visit", "disabled_federation"]),
                review_date=review,
                synthetic=True,
            )
            counts["memberships"] += 1
        for child in children[:2]:
            services.membership_record(
                actor=None,
                resident=child,
                tag="left_behind_child",
                evidence="父母均在外地务工，学校登记（演示）",
                source="civil_affairs",
                review_date=review,
                synthetic=True,
            )
            counts["memberships"] += 1
        huafu = street_name == "华富街道"
        sw = users.get("xuli") if huafu else None
        grid = users.get("hejun") if huafu else None
        provider = Provider.objects.filter(area=street.parent).first()
        for i, elder in enumerate(elders[:4]):
            kind = [
                DiscoveryKind.GRID_REPORT,
                DiscoveryKind.UTILITY,
                DiscoveryKind.NO_VISIT,
                DiscoveryKind.GRID_REPORT,
            ][i]
            summary = [
                "老人独居，腿脚不便，无人买菜（演示）",
                "自前日 8 时起 52 小时未用水（演示）",
                "7 天内没有探访记录。",
                "老人反映家中漏水（演示）",
            ][i]
            entry, made = services.discovery_record(
                kind=kind,
                resident=elder,
                summary=summary,
                source_ref=f"demo:{street.code}:{i}",
                reported_by=grid if kind == DiscoveryKind.GRID_REPORT else None,
                synthetic=True,
            )
            counts["discoveries"] += made
            if i == 3:
                services.discovery_dismiss(
                    actor=None, discovery=entry, reason="已转物业维修，非困难情形（演示）"
                )
                continue
            if i == 0 and huafu:
                continue  # 徐丽's queue keeps one grid report waiting
            case = services.case_open(actor=sw, discovery=entry, worker=sw, synthetic=True)
            counts["cases"] += 1
            past = timezone.now() - dt.timedelta(days=30)
            services.case_act(
                actor=sw, case=case, step="assess", needs=NEEDS, note="上门需求评估（演示）", when=past
            )
            services.case_act(
                actor=sw,
                case=case,
                step="plan",
                plan="每周上门探访，助餐，协助申请临时救助（演示）",
                visit_every_days=7,
                when=past + dt.timedelta(days=1),
            )
            services.case_act(
                actor=sw,
                case=case,
                step="visit",
                note="上门探访，老人情绪稳定（演示）",
                when=past + dt.timedelta(days=8),
            )
            if i == 2:  # served, reviewed and closed
                services.case_act(actor=sw, case=case, step="review", note="需求已满足（演示）")
                services.case_act(actor=sw, case=case, step="close", note="已纳入常规探访，结案（演示）")
            if provider is not None:
                order = services.order_create(
                    actor=None,
                    resident=elder,
                    provider=provider,
                    kind=rng.choice(["meal", "bathing", "escort", "home_visit"]),
                    scheduled_for=today - dt.timedelta(days=3),
                    case=case,
                    synthetic=True,
                )
                services.order_complete(
                    actor=None, order=order, rating=rng.choice([4, 5]), comment="服务周到（演示）"
                )
                counts["orders"] += 1
        if huafu and children:
            mz = Unit.objects.filter(code="440304-MZ").first()
            if mz is not None and grid is not None:
                services.minor_report(
                    actor=grid, resident=children[0], note="孩子多日独自在家，无人照看（演示）", unit=mz
                )
    return counts
