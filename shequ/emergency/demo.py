"""Synthetic emergency management for the demo (STYLE.md §13), through the services: in every district's first
street a typhoon plan with its roles, a shelter (on the facility map too), supplies (one below its minimum, one
expiring soon), last month's drill and an emergency volunteer team (the district's volunteer team, if seeded);
and a past warning in 华富街道: a red rainstorm warning a month ago, sent to its residents, lifted, with
acknowledgements, "I am safe" check-ins, one call for help followed up.

Everything is flagged synthetic. Natural key: the plan's title per street; running again creates nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shequ.accounts.models import User
from shequ.geo.models import Area

from . import services
from .choices import SafetyState
from .models import Delivery, FanoutBatch, Plan, Warning

PLAN_TITLE = "台风防御应急预案"
ROLES = [
    services.RoleData("总指挥", "街道办主任", "13700000001", "统一指挥、发布转移命令"),
    services.RoleData("转移安置组", "社区工作站站长", "13700000002", "组织群众转移到避难场所"),
    services.RoleData("物资保障组", "社区党委委员", "13700000003", "调拨和发放应急物资"),
    services.RoleData("网格巡查组", "网格长", "13700000004", "巡查危险点，联系独居老人"),
]


def _volunteer_team_id(district: Area) -> int | None:
    try:
        from shequ.volunteers.selectors import activity_list_public
    except ImportError:
        return None
    activity = activity_list_public(area=district.code).first()
    return activity.team_id if activity is not None else None


def seed_emergency(*, seed: int = 1) -> dict[str, int]:
    made = {"plans": 0, "warnings": 0}
    today = timezone.localdate()
    for district in Area.objects.filter(level="district").order_by("code"):
        street = Area.objects.filter(parent=district, level="street").order_by("code").first()
        community = (
            Area.objects.filter(parent=street, level="community").order_by("code").first() if street else None
        )
        if street is None or community is None or Plan.objects.filter(area=street, title=PLAN_TITLE).exists():
            continue
        plan = services.plan_create(
            actor=None,
            area=street,
            title=PLAN_TITLE,
            hazard="typhoon",
            summary="台风蓝色预警起24小时值守；橙色预警起转移危房和低洼地带居民。",
            roles=ROLES,
        )
        lat = community.centroid_lat or district.centroid_lat or 22.55
        lng = community.centroid_lng or district.centroid_lng or 114.05
        services.shelter_create(
            actor=None,
            area=community,
            name=f"{community.name}应急避难场所",
            address=f"{community.name}小学操场",
            lat=lat,
            lng=lng,
            capacity=300 + 50 * (seed % 3),
            synthetic=True,
        )
        services.supply_create(
            actor=None,
            area=street,
            name="饮用水",
            unit="箱",
            quantity=40,
            minimum=100,
            location="街道应急物资仓库",
            synthetic=True,
        )
        services.supply_create(
            actor=None,
            area=street,
            name="方便食品",
            unit="箱",
            quantity=120,
            minimum=50,
            expires_on=today + timedelta(days=20),
            location="街道应急物资仓库",
            synthetic=True,
        )
        services.supply_create(
            actor=None,
            area=street,
            name="救生衣",
            unit="件",
            quantity=200,
            minimum=100,
            synthetic=True,
        )
        services.drill_record(
            actor=None,
            plan=plan,
            held_on=today - timedelta(days=30),
            participants=80,
            record="模拟台风登陆夜间转移：30分钟内转移低洼地带居民至避难场所；发现2处广播盲区，已增设喇叭。",
            synthetic=True,
        )
        services.team_create(
            actor=None,
            area=street,
            name=f"{street.name}应急志愿队",
            speciality="转移引导、物资搬运",
            volunteer_team_id=_volunteer_team_id(district),
            synthetic=True,
        )
        made["plans"] += 1
    made["warnings"] = _past_warning()
    return made


def _past_warning() -> int:
    """A red rainstorm warning in 华富街道 a month ago, sent, acknowledged by most, lifted, followed up."""
    huafu = Area.objects.filter(parent__code="440304", name="华富街道").first()
    publisher = User.objects.filter(username="chenjing").first()
    if huafu is None or publisher is None or Warning.objects.filter(synthetic=True).exists():
        return 0
    warning = services.warning_publish(
        actor=publisher,
        hazard="rainstorm",
        level="red",
        area_codes=[huafu.code],
        message="暴雨红色预警：请停止户外活动，低洼地带居民立即转移至就近避难场所。",
    )
    services.fanout_plan(warning_id=warning.pk)
    for batch_id in FanoutBatch.objects.filter(warning=warning).values_list("id", flat=True):
        services.batch_deliver(batch_id=batch_id)
    when = timezone.now() - timedelta(days=30)
    Warning.objects.filter(pk=warning.pk).update(
        published_at=when, synthetic=True, fanned_out_at=when + timedelta(minutes=2)
    )
    services.warning_end(actor=publisher, warning=warning)
    Warning.objects.filter(pk=warning.pk).update(ended_at=when + timedelta(hours=20))
    people = list(
        Delivery.objects.filter(warning=warning, user__isnull=False).select_related("user").order_by("id")
    )
    for i, d in enumerate(people):
        if d.user is None or i % 5 == 4:
            continue  # one in five never confirmed: the record shows it
        services.warning_acknowledge(person=d.user, warning_id=warning.pk)
        state = SafetyState.NEED_HELP if i == 1 else SafetyState.SAFE
        services.safety_report(
            person=d.user, warning_id=warning.pk, state=state, note="家中进水" if i == 1 else ""
        )
    Delivery.objects.filter(warning=warning, acknowledged_at__isnull=False).update(
        acknowledged_at=when + timedelta(minutes=30), safety_at=when + timedelta(hours=21)
    )
    return 1
