"""Synthetic participation for the demo: in 华富街道's and 粤海街道's first communities and one community of every other
district, a need list (from residents, a survey, a grid visit and the appeals' top problems), a resource list (a
venue, a volunteer team, a social organisation, a company, a fund), projects, needs matched with their response
times, a residents' council meeting held with minutes and decisions (one became a project), and a deliberation
topic with comments and a reply. Everything goes through the services and is flagged synthetic; a community that
already has synthetic needs is skipped, so a second run creates nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from shequ.accounts.models import User
from shequ.audit.context import audit_context
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from . import services
from .choices import NeedSource
from .models import Category, Meeting, Need

NEEDS = [
    ("elderly", "楼道需要加装扶手", "老旧楼栋楼道没有扶手，老人上下楼容易摔倒。", NeedSource.RESIDENT),
    ("children", "放学后孩子无人看管", "双职工家庭希望有四点半课堂，在社区里做作业。", NeedSource.SURVEY),
    (
        "environment",
        "垃圾分类点异味大",
        "小区东门垃圾分类点夏天异味大，希望加装除臭和洗手设施。",
        NeedSource.GRID_VISIT,
    ),
    ("facilities", "小区路灯损坏", "小区中心花园一带三盏路灯不亮，夜间出行不安全。", NeedSource.APPEALS),
    ("culture", "缺少广场舞场地", "晚上跳舞的居民多，希望协调固定场地并控制音量。", NeedSource.SURVEY),
]
RESOURCES = [
    ("venue", "culture", "社区党群服务中心活动室", "可预约的多功能活动室，容纳40人。", "社区工作站"),
    ("volunteer_team", "elderly", "社区助老志愿服务队", "上门探访、陪同就医、代购。", ""),
    ("social_org", "children", "阳光社工服务中心", "四点半课堂、青少年成长小组。", "0755-8xxx"),
    ("company", "facilities", "物业服务公司", "公共设施维修、绿化、保洁。", "物业服务中心"),
    ("fund", "elderly", "社区基金", "民生微实事之外的小额资助，按季度申请。", "社区工作站"),
]
COMMENTS = [
    "支持按时段收费，白天给访客留车位。",
    "希望先统计每栋的车辆数量再定方案。",
    "夜间占用消防通道的问题要一并解决。",
]


def _communities() -> list[Area]:
    chosen: list[Area] = []
    for district_code, street_name in (("440304", "华富街道"), ("440305", "粤海街道")):
        c = (
            Area.objects.filter(
                level=AreaLevel.COMMUNITY, parent__parent__code=district_code, parent__name=street_name
            )
            .order_by("code")
            .first()
        )
        if c is not None:
            chosen.append(c)
    for district in (
        Area.objects.filter(level=AreaLevel.DISTRICT).exclude(code__in=("440304", "440305")).order_by("code")
    ):
        c = (
            Area.objects.filter(level=AreaLevel.COMMUNITY, path__startswith=district.path)
            .order_by("code")
            .first()
        )
        if c is not None:
            chosen.append(c)
    return chosen


def seed_participation(*, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    users = {
        u.username: u for u in User.objects.filter(username__in=["zhangwei", "lina", "chenjing", "hejun"])
    }
    staff = users.get("chenjing")
    if staff is None:
        return {}
    resident = users.get("zhangwei")
    categories = {c.code: c for c in Category.objects.all()}
    counts = {"needs": 0, "resources": 0, "projects": 0, "meetings": 0, "topics": 0, "comments": 0}
    now = timezone.now()
    with audit_context(channel="command"):
        for i, area in enumerate(_communities()):
            if Need.objects.filter(area=area, synthetic=True).exists():
                continue
            needs = []
            for j, (cat, title, text, source) in enumerate(NEEDS):
                poster = resident if (source == NeedSource.RESIDENT and i == 0 and resident) else staff
                if poster is staff and source == NeedSource.RESIDENT:
                    source = (
                        NeedSource.SURVEY
                    )  # outside the cast's community: recorded by staff from a survey
                n = services.need_post(
                    actor=poster,
                    area=area,
                    category=categories[cat],
                    title=title,
                    description=text,
                    source=source,
                    source_ref="" if source == NeedSource.RESIDENT else "2026年第四季度",
                    synthetic=True,
                )
                Need.objects.filter(pk=n.pk).update(
                    created_at=now - timedelta(days=20 - j * 3, hours=rng.randint(0, 8))
                )
                needs.append(n)
            counts["needs"] += len(needs)
            resources = [
                services.resource_add(
                    actor=staff,
                    area=area,
                    category=categories[cat],
                    kind=kind,
                    name=f"{area.name}{name}",
                    description=text,
                    contact=contact,
                    synthetic=True,
                )
                for kind, cat, name, text, contact in RESOURCES
            ]
            counts["resources"] += len(resources)
            start = now - timedelta(days=7, hours=-19 + now.hour)
            meeting = services.meeting_create(
                actor=staff,
                area=area,
                kind="council",
                title=f"{area.name}居民议事会（第四季度）",
                agenda="一、楼道扶手加装；二、四点半课堂；三、小区停车管理。",
                place=f"{area.name}党群服务中心二楼会议室",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                synthetic=True,
            )
            Meeting.objects.filter(pk=meeting.pk).update(created_at=start - timedelta(days=5))
            counts["meetings"] += 1
            d1 = services.decision_add(
                actor=staff,
                meeting=meeting,
                text="为3栋至6栋楼道加装扶手",
                follow_up="社区工作站联系物业询价，两周内报方案",
                follow_up_due=(start + timedelta(days=14)).date(),
            )
            project = services.decision_to_project(
                actor=staff, decision=d1, category=categories["elderly"], budget_yuan=48000
            )
            services.project_set_status(actor=staff, project=project, status="in_progress")
            counts["projects"] += 1
            services.decision_add(
                actor=staff, meeting=meeting, text="与阳光社工合作开办四点半课堂", follow_up="下月试运行"
            )
            services.meeting_minutes_publish(
                actor=staff,
                meeting=meeting,
                minutes=(
                    "到会居民代表23人。议题一：楼道扶手，表决同意21票，不同意1票，弃权1票，形成决定并转为项目；"
                    "议题二：四点半课堂，同意与阳光社工合作试运行；议题三：停车管理，转入线上议事继续征求意见。"
                ),
            )
            other = services.project_create(
                actor=staff,
                area=area,
                category=categories["facilities"],
                title="中心花园路灯更换",
                description="更换损坏路灯并改为节能灯具。",
                budget_yuan=12000,
                synthetic=True,
            )
            counts["projects"] += 1
            # Matches: the handrail need to the project, the homework need to the social organisation, the lamps to
            # the lamp project; the other two wait.
            for n, kw, hours in (
                (needs[0], {"project": project}, 30),
                (needs[1], {"resource": resources[2]}, 52),
                (needs[3], {"project": other}, 8),
            ):
                services.need_match(actor=staff, need=n, reply="已纳入本季度计划，进展将在此更新。", **kw)
                fresh = Need.objects.get(pk=n.pk)
                Need.objects.filter(pk=n.pk).update(responded_at=fresh.created_at + timedelta(hours=hours))
            topic = services.topic_create(
                actor=staff,
                area=area,
                title="小区停车怎么管？",
                body="议事会决定就停车管理在线上继续征求意见：收费时段、访客车位、消防通道。请大家发表意见。",
                meeting=meeting,
                synthetic=True,
            )
            counts["topics"] += 1
            commenters = [u for u in (resident, users.get("hejun"), users.get("lina")) if u is not None]
            first = None
            for k, body in enumerate(COMMENTS):
                c = services.comment_post(actor=commenters[k % len(commenters)], topic=topic, body=body)
                first = first or c
                counts["comments"] += 1
            if first is not None:
                services.comment_post(
                    actor=staff, topic=topic, body="感谢建议，下周汇总后公示方案。", parent=first
                )
                counts["comments"] += 1
    return counts
