"""Appeals for the warning tests, made through the real intake service at chosen moments of a controlled clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shequ.appeals import services as appeal_services
from shequ.appeals.models import Appeal

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 4, 15)  # a Wednesday: the day the detector looks at in these tests


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def appeal_on(
    clock,
    world,
    day: date,
    *,
    minute: int = 0,
    category: str = "sanitation",
    area=None,
    phone: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    by: str = "sunli",
    text: str = "小区门口的垃圾桶三天没人清理了，味道很大",
) -> Appeal:
    """An appeal taken on the hotline by the dispatcher (or `by`) at 10:00 + `minute` on `day`."""
    clock.set(at(day, 10, 0) + timedelta(minutes=minute))
    return appeal_services.appeal_submit(
        actor=world[by],
        data=appeal_services.IntakeData(
            text=text,
            channel="hotline",
            category=category,
            area=(area or world.huafu_community).code,
            contact_phone=phone,
            address=address,
            lat=lat,
            lng=lng,
        ),
    )


def flat_history(clock, world, *, until: date, days: int, per_day: int = 1, **kw) -> None:
    for i in range(days, 0, -1):
        for j in range(per_day):
            appeal_on(clock, world, until - timedelta(days=i), minute=j, **kw)
