"""Shared helpers for the appeal tests: a controllable clock, the cast's units and areas, and appeals brought to a
given state through the real services (STYLE.md §6), never through raw ORM writes.

Import the fixtures into a test module (`from .fixtures import clock, world  # noqa: F401`); `clock` is autouse
there, so every deadline in those tests is computed from a fixed, known instant inside the years the working-day
calendar covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shequ.accounts.models import Unit, User
from shequ.appeals import services
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal, Category
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, 10:00 in Shenzhen: an ordinary working day, well inside the calendar's covered years.
START = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
# Thursday 30 April 2026: the next day starts the May Day break (1–5 May), with Saturday 9 May worked instead.
BEFORE_MAY_DAY = datetime(2026, 4, 30, 10, 0, tzinfo=SHANGHAI)


class Clock:
    """The platform's `timezone.now()`, moved by the test: deadlines are columns, so time is just a value."""

    def __init__(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def set(self, when: datetime) -> datetime:
        self.now = when.astimezone(UTC)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def local(self) -> datetime:
        return self.now.astimezone(SHANGHAI)


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Clock:
    c = Clock(START)
    # Every service reads `timezone.now()` through the module attribute, so one patch moves them all.
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@dataclass
class World:
    """The cast with the units and places the appeal tests talk about."""

    users: dict[str, User]
    lina_unit: Unit  # station of the first community of 华富街道 (lina acts for it)
    huafu_office: Unit  # 华富街道办事处: the default (兜底) unit for appeals in 华富街道
    yuehai_office: Unit  # 粤海街道办事处 (wangqiang acts for it)
    cg: Unit  # 福田区城市管理和综合执法局 (liuyang acts for it)
    huafu_community: Area  # where zhangwei lives; inside lina's street and liuyang's district
    yuehai_community: Area  # in 南山区: outside lina's and liuyang's scope
    sanitation: Category
    extra: dict = field(default_factory=dict)

    def __getitem__(self, username: str) -> User:
        return self.users[username]


def make_officer(username: str, unit: Unit, role: str = "street_officer") -> User:
    """A staff member acting for `unit`, granted through the access service as the demo cast is."""
    from shequ.access.services import grant_bootstrap

    user = User.objects.create(username=username, display_name=username)
    grant_bootstrap(user=user, role=role, area=unit.area, unit=unit, reason="appeal tests")
    return user


def first_community(district: str, street: str) -> Area:
    return (
        Area.objects.filter(parent__parent__code=district, parent__name=street, level="community")
        .order_by("code")
        .first()
    )


@pytest.fixture
def world(cast) -> World:
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    yuehai = Area.objects.get(parent__code="440305", name="粤海街道")
    return World(
        users=cast,
        lina_unit=Unit.objects.get(code=f"{first_community('440304', '华富街道').code}-GZZ"),
        huafu_office=Unit.objects.get(code=f"{huafu.code}-JDB"),
        yuehai_office=Unit.objects.get(code=f"{yuehai.code}-JDB"),
        cg=Unit.objects.get(code="440304-CG"),
        huafu_community=first_community("440304", "华富街道"),
        yuehai_community=first_community("440305", "粤海街道"),
        sanitation=Category.objects.get(code="sanitation"),
    )


# --- appeals through the real services ---------------------------------------------------------------------------
def submit(
    world: World,
    *,
    by: str | None = "zhangwei",
    text: str = "小区门口的垃圾桶三天没人清理了，味道很大",
    area: Area | None = None,
    category: str | None = "sanitation",
    urgency: str | None = None,
    channel: str = "portal",
    phone: str = "13912345678",
) -> Appeal:
    """An appeal as a resident (or, with `by`, a staff member on the hotline) would submit it.

    With an `urgency` and no other channel, the 12345 dispatcher takes the call on the hotline: only staff on a staff
    channel choose the urgency (services.clean_intake)."""
    if urgency is not None and channel == "portal" and by == "zhangwei":
        by, channel = "sunli", "hotline"
    actor = world[by] if by else None
    requester = actor if channel in ("portal", "api") else None
    return services.appeal_submit(
        actor=actor,
        requester=requester,
        data=services.IntakeData(
            text=text,
            channel=channel,
            category=category,
            area=(area or world.huafu_community).code,
            contact_phone=phone,
            urgency=urgency,
        ),
    )


LEAD_OF = {"lina": "lina_unit", "liuyang": "cg", "wangqiang": "yuehai_office"}


def bring_to(world: World, appeal: Appeal, status: str, *, lead: str = "lina", co: list[Unit] | None = None):
    """Walk an appeal along the happy path to `status` with the people who would take each step."""
    path = [Status.DISPATCHED, Status.SIGNED_FOR, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED]
    unit = getattr(world, LEAD_OF[lead])
    steps = {
        Status.DISPATCHED: lambda a: services.appeal_dispatch(
            actor=world["sunli"], appeal=a, unit=unit, co_units=co or []
        ),
        Status.SIGNED_FOR: lambda a: services.appeal_sign_for(actor=world[lead], appeal=a),
        Status.IN_PROGRESS: lambda a: services.appeal_start(actor=world[lead], appeal=a),
        Status.REPLIED: lambda a: services.appeal_reply(
            actor=world[lead], appeal=a, text="已安排保洁人员清理，并增加清运频次。"
        ),
        Status.CLOSED: lambda a: services.appeal_evaluate(actor=world["zhangwei"], appeal=a, rating=5),
    }
    for step in path[: path.index(status) + 1]:
        appeal = steps[step](appeal)
    appeal.refresh_from_db()
    assert appeal.status == status
    return appeal


def audit_actions(appeal: Appeal) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def event_actions(appeal: Appeal) -> list[str]:
    return list(appeal.events.order_by("at", "id").values_list("action", flat=True))
