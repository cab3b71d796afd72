"""Synthetic volunteer service for the demo and the benches, written through the services (STYLE.md §13).

- 200 synthetic resident accounts `resident001` … `resident200` spread over 福田区's communities (DESIGN.md §8), each
  with a resident grant; tests and benches act as them (`manage.py issue_token resident042`).
- `songyu` 宋雨, the manager of 华富街道's community volunteer team (the cast's volunteer team manager).
- In each of the city's 11 districts: a community volunteer team, a volunteer station (a facility of type 志愿服务站),
  volunteers, and a season of activities: the last 8 weeks with sign-ups and confirmed hours, the next 4 weeks open.
  Past activities are written with the service's `now` set to the week they were published, so they pass the same
  rules as live ones ("published only for the future", sign-up before the shift), and their hours are recorded from
  the roster and confirmed by the team's manager (the time bank's hook earns credits from them, if installed).

Everything is flagged synthetic. Natural keys: usernames, team names per area; running again creates nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from shequ.access.services import grant_bootstrap
from shequ.accounts.models import Grant, User
from shequ.accounts.roles import Role
from shequ.core.idnumbers import id_region_of, make_id_number
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from . import services
from .choices import availability_from_keys
from .models import Team, Volunteer

DEMO_PASSWORD = "Shequ-demo-2026!"  # noqa: S105 - the documented password of synthetic demo accounts (demo/cast.py)
GRANT_REASON = "演示账号（合成数据）"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫波宇浩凯晨欣怡子涵梓轩思雨嘉琪俊熙"
ACTIVITIES = [
    ("关爱长者上门探访", ["elder_care"], "长者服务站"),
    ("长者智能手机课堂", ["digital"], "党群服务中心"),
    ("社区环境清洁日", [], "社区公园"),
    ("四点半课堂课业辅导", ["tutoring"], "儿童之家"),
    ("便民维修服务", ["repair"], "志愿服务站"),
    ("应急救护知识宣传", ["first_aid"], "社区广场"),
    ("垃圾分类督导", ["environment"], "小区垃圾投放点"),
    ("社区义诊协助", [], "社区健康服务中心"),
]
SKILL_POOL = ["elder_care", "digital", "tutoring", "repair", "first_aid", "environment", "arts", "legal"]
SLOTS = ["sat_am", "sat_pm", "sun_am", "sun_pm", "wed_eve", "fri_eve", "tue_am"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _account(username: str, *, name: str, phone: str, area: Area) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username, display_name=name, phone=phone, synthetic=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not Grant.objects.filter(user=user, role=Role.RESIDENT).exists():
        grant_bootstrap(user=user, role=Role.RESIDENT, area=area, reason=GRANT_REASON)
    return user, created


def futian_communities() -> list[Area]:
    return list(
        Area.objects.filter(level=AreaLevel.COMMUNITY, parent__parent__code="440304").order_by("code")
    )


def ensure_synthetic_residents(count: int = 200, *, seed: int = 1) -> int:
    """`resident001` … `resident200`: resident accounts spread over 福田区's communities. Answers how many were new."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    communities = futian_communities()
    if not communities:
        return 0
    made = 0
    for n in range(1, count + 1):
        name = _name(rng)
        _user, created = _account(
            f"resident{n:03d}",
            name=name,
            phone=f"1770000{n:04d}",
            area=communities[(n - 1) % len(communities)],
        )
        made += created
    return made


def _community_of(district: Area) -> Area:
    """The district's first community; its first street where the city pack lists no communities; else the district
    itself (深汕特别合作区 has neither in the pack: its team and station sit at the district, with no volunteers)."""
    for level in (AreaLevel.COMMUNITY, AreaLevel.STREET):
        area = Area.objects.filter(level=level, path__startswith=district.path).order_by("code").first()
        if area is not None:
            return area
    return district


def _register(user: User, *, rng: random.Random, area: Area, region: str, n: int) -> Volunteer:
    existing = Volunteer.objects.filter(user=user).first()
    if existing is not None:
        return existing
    born = date(rng.randint(1955, 2003), rng.randint(1, 12), rng.randint(1, 28))
    data = services.RegistrationData(
        name=user.display_name or _name(rng),
        id_number=make_id_number(region, born, 300 + n % 200, rng.choice(("male", "female"))),
        phone=user.phone or f"1760000{n:04d}",
        area=area.code,
        emergency_name=_name(rng),
        emergency_phone=f"1750000{n:04d}",
        skills=rng.sample(SKILL_POOL, k=rng.randint(1, 3)) + ["elder_care", "digital"][: rng.randint(0, 2)],
        availability=availability_from_keys(rng.sample(SLOTS, k=rng.randint(2, 4))),
    )
    data.skills = sorted(set(data.skills))
    return services.volunteer_register(actor=user, data=data, synthetic=True)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def seed_volunteers(*, seed: int = 1, weeks_back: int = 8, weeks_ahead: int = 4) -> dict[str, int]:
    """The demo's volunteer service across the 11 districts; nothing if it is there already."""
    counts = {"residents": ensure_synthetic_residents(seed=seed)}
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code"))
    if not districts or Team.objects.filter(synthetic=True).exists():
        return counts
    rng = random.Random(seed + 24)  # noqa: S311 - reproducible demo data
    huafu = Area.objects.filter(level=AreaLevel.STREET, name="华富街道").first()
    huafu_community = _community_of(huafu) if huafu else None
    songyu, _ = _account("songyu", name="宋雨", phone="13800000012", area=huafu_community or districts[0])
    today = timezone.localdate()
    counts.update(teams=0, stations=0, volunteers=0, activities=0, hours=0)
    residents = list(
        User.objects.filter(username__startswith="resident", synthetic=True).order_by("username")
    )
    for d_index, district in enumerate(districts):
        community = (
            huafu_community if district.code == "440304" and huafu_community else _community_of(district)
        )
        if community is None:
            continue
        region = id_region_of(district.code)
        manager = (
            songyu
            if community == huafu_community
            else _account(
                f"vteam{district.code}", name=_name(rng), phone=f"1740000{d_index:04d}", area=community
            )[0]
        )
        team = services.team_create(
            actor=None,
            name=f"{community.name}志愿服务队",
            area=community,
            description=f"{district.name}{community.name}的社区志愿服务队伍（合成数据）。",
            managers=[manager],
            synthetic=True,
        )
        counts["teams"] += 1
        lat, lng = district.centroid_lat or 22.55, district.centroid_lng or 114.06
        services.station_create(
            actor=None,
            name=f"{community.name}志愿服务站",
            area=community,
            lat=round(lat + rng.uniform(-0.01, 0.01), 6),
            lng=round(lng + rng.uniform(-0.01, 0.01), 6),
            team=team,
            address=f"{district.name}{community.name}党群服务中心一楼",
            synthetic=True,
        )
        counts["stations"] += 1
        # Volunteers: 福田区 from resident001…200 (a third of them), elsewhere accounts of their own.
        if community.level not in services.VOLUNTEER_AREA_LEVELS:
            people = []
        elif district.code == "440304":
            people = residents[::3]
        else:
            people = [
                _account(
                    f"volunteer{district.code}{i:02d}",
                    name=_name(rng),
                    phone=f"173{d_index:02d}00{i:04d}",
                    area=community,
                )[0]
                for i in range(1, rng.randint(6, 12))
            ]
        volunteers = [
            _register(u, rng=rng, area=community, region=region, n=d_index * 300 + i)
            for i, u in enumerate(people)
        ]
        counts["volunteers"] += len(volunteers)
        for week in range(-weeks_back, weeks_ahead) if volunteers else ():
            title, _skills, place = ACTIVITIES[(week + d_index) % len(ACTIVITIES)]
            day = today + timedelta(days=7 * week + (5 - today.weekday()) % 7)  # a Saturday
            start = _at(day, rng.choice((9, 14)))
            published = min(timezone.now(), start - timedelta(days=5))
            activity = services.activity_create(
                actor=None,
                team=team,
                title=title,
                description=f"{title}：{community.name}志愿服务队组织（合成数据）。",
                is_group=title == "社区环境清洁日",
                shifts=[
                    services.ShiftData(
                        place=f"{community.name}{place}",
                        starts_at=start,
                        ends_at=start + timedelta(hours=rng.choice((2, 3))),
                        capacity=rng.randint(4, 10),
                        skills=[],
                    )
                ],
                synthetic=True,
                now=published - timedelta(minutes=1),
            )
            counts["activities"] += 1
            shift = activity.shifts.get()
            for v in rng.sample(volunteers, k=min(len(volunteers), rng.randint(2, shift.capacity))):
                if services.is_minor(v) and not activity.is_group:
                    continue
                signup = services.signup_create(actor=v.user, shift=shift, now=published)
                if shift.ends_at < timezone.now() and signup.status == "confirmed":
                    minutes = rng.choice((60, 90, 120))
                    record = services.attendance_roster(
                        actor=manager,
                        signup=signup,
                        started_at=shift.starts_at,
                        ended_at=min(shift.ends_at, shift.starts_at + timedelta(minutes=minutes)),
                    )
                    if rng.random() < 0.9:  # a few left for the organiser to confirm in the demo
                        services.hours_confirm(actor=manager, record=record)
                        counts["hours"] += record.minutes // 60
    return counts
