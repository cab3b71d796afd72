"""Synthetic notices (通知公告) for every district and street, published over the past year through the notices
service by the cast's city administrator. Flagged synthetic, and each says it is demo data. Seeded once."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from shequ.accounts.models import User
from shequ.geo.models import Area
from shequ.notices.models import Notice
from shequ.notices.services import NoticeData, notice_publish

MARK = "（合成演示数据）"
DISTRICT_NOTICES = [
    (
        "{name}关于做好汛期安全防范工作的通知",
        "请各街道、社区加强巡查，及时排查积水点和危险边坡，遇强降雨时减少外出。",
        True,
    ),
    (
        "{name}2026年民生微实事项目征集公告",
        "欢迎居民通过社区工作站或线上平台提出民生微实事项目建议，征集截止后统一公示。",
        False,
    ),
    (
        "{name}12345热线诉求办理情况通报",
        "上月全区诉求按时响应、办结情况良好，请各单位继续做好回访和整改。",
        False,
    ),
]
STREET_NOTICES = [
    (
        "{name}长者助餐服务点开放时间调整",
        "自下周起，辖区长者饭堂午餐供应时间调整为11:00-13:00，欢迎长者前往就餐。",
    ),
    ("{name}周末垃圾分类宣传活动", "本周六上午在辖区文化广场开展垃圾分类宣传，现场有互动游戏和小礼品。"),
    (
        "{name}燃气安全入户检查通知",
        "燃气公司工作人员将入户检查燃气管道和设施，请居民配合并注意核实工作证件。",
    ),
]


def seed_notices(rng: random.Random, *, streets: list[Area], author: User) -> int:
    if Notice.objects.filter(synthetic=True, title__endswith=MARK).exists():
        return 0
    now = timezone.now()
    made = 0
    districts = sorted({s.parent for s in streets if s.parent is not None}, key=lambda a: a.code)
    for district in districts:
        for i, (title, body, pinned) in enumerate(DISTRICT_NOTICES):
            published = now - timedelta(
                days=rng.randint(1, 300) if i else rng.randint(1, 20), hours=rng.randint(0, 8)
            )
            _publish(author, district, title.format(name=district.name), body, published, pinned)
            made += 1
    for street in streets:
        title, body = rng.choice(STREET_NOTICES)
        published = now - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 8))
        _publish(author, street, title.format(name=street.name), body, published, False)
        made += 1
    return made


def _publish(author: User, area: Area, title: str, body: str, published, pinned: bool) -> None:
    notice_publish(
        actor=author,
        data=NoticeData(
            title=f"{title}{MARK}"[:120],
            body=f"{body}{MARK}",
            area=area.code,
            published_at=published,
            pinned=pinned,
            synthetic=True,
        ),
    )
