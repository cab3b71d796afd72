"""Venues for tests, created through the real services, and a clock the tests move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shequ.facilities.tests.helpers import community, make_facility
from shequ.geo.models import Area
from shequ.venues.models import Venue
from shequ.venues.services import team_create, venue_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2 March 2026, 10:00 in Shenzhen: an ordinary working day.
START = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
ALL_DAY = {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def set(self, when: datetime) -> datetime:
        self.now = when.astimezone(UTC)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(START)
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def at(day_offset: int, hhmm: str) -> datetime:
    """A Shenzhen moment `day_offset` days after the clock's start day, at HH:MM."""
    h, m = (int(x) for x in hhmm.split(":"))
    return (START + timedelta(days=day_offset)).replace(hour=h, minute=m)


def make_venue(
    name: str = "华富党群服务中心多功能室", *, street: str = "华富街道", district: str = "440304", **kw
) -> Venue:
    area = kw.pop("area", None) or community(street, district)
    facility = make_facility(
        f"{name}所在中心", (22.55, 114.07), type="party_service", area=area, hours=ALL_DAY
    )
    fields = {"name": name, "facility": facility, "capacity": 30, "slot_mode": "free", "slot_minutes": 60}
    fields["max_length_minutes"] = 120
    fields.update(kw)
    return venue_create(actor=None, **fields)


def huafu_street() -> Area:
    return Area.objects.get(parent__code="440304", name="华富街道")


def make_team(leader, name: str = "华富舞蹈队"):
    return team_create(actor=None, name=name, area=huafu_street(), leader=leader)


def huafu_neighbour(make_user, username: str = "huafu_neighbour"):
    """Another resident of 华富街道 (zhangwei's street)."""
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.roles import Role

    user = make_user(username)
    grant_bootstrap(user=user, role=Role.RESIDENT, area=huafu_street(), reason="test")
    return user


CARE_WEEK = {d: [["07:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def make_care_place(
    name: str = "华富长者日间照料中心",
    *,
    kind: str = "elder",
    street: str = "华富街道",
    district: str = "440304",
    **kw,
):
    """A care place of a new facility (weekdays 07:30–18:00) in the street's first community."""
    from shequ.venues.care import care_place_create

    area = kw.pop("area", None) or community(street, district)
    facility = make_facility(
        f"{name}所在机构",
        (22.55, 114.07),
        type="elderly" if kind == "elder" else "childcare",
        area=area,
        hours=kw.pop("hours", CARE_WEEK),
    )
    fields = {"name": name, "facility": facility, "kind": kind, "capacity": 10}
    if kind == "infant":
        fields["age_band"] = "12_24"
    fields.update(kw)
    return care_place_create(actor=None, **fields)
