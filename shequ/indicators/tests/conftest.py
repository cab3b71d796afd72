"""Fixtures of the indicator tests: the hand-built tree (tests/tree.py), filled through the modules' services, the
catalogue stored, and a city leader of that tree (孟测, city admin of 测试市) besides the fixed cast."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from shequ.access.services import grant_bootstrap
from shequ.accounts.roles import Role
from shequ.appeals.models import KpiAreaMonthly
from shequ.facilities.services import FacilityData, facility_create, facility_types_ensure
from shequ.indicators.services import indicator_catalogue_sync
from shequ.volunteers.tests.helpers import make_volunteer

from .tree import build_tree


def _facility(area, type_code: str, name: str) -> None:
    facility_create(
        actor=None,
        data=FacilityData(name=name, type=type_code, area=area.code, lat=22.55, lng=114.05, synthetic=True),
    )


@pytest.fixture
def tree(cast):
    return build_tree()


@pytest.fixture
def filled(tree, cast):
    """What the hand count below counts:
    volunteers: 东社区 3, 北社区 1; 社康: 东社区 2, 南社区 1; 社工站 in 一街道 (the street itself); 托育 in 西社区;
    长者服务站 in 北社区; appeals this year: 东社区 10 dispatched / 9 responded on time, 北社区 10 / 10."""
    facility_types_ensure()
    for _ in range(3):
        make_volunteer(area=tree["T0A1a"])
    make_volunteer(area=tree["T0B1a"])
    _facility(tree["T0A1a"], "health", "东社区社康中心")
    _facility(tree["T0A1a"], "health", "东社区社康站")
    _facility(tree["T0A2a"], "health", "南社区社康站")
    _facility(tree["T0A1"], "social_work", "一街道社工站")
    _facility(tree["T0A1b"], "childcare", "西社区托育园")
    _facility(tree["T0B1a"], "elderly", "北社区长者服务站")
    # The appeals' monthly rollup is what the figure reads (kept by appeals.kpis as events happen; its own tests
    # prove it equals the appeals). Rows written here stand for a year of appeals in two communities.
    month = date(timezone.localdate().year, 1, 1)
    for code, dispatched, on_time in (("T0A1a", 10, 9), ("T0B1a", 10, 10)):
        area = tree[code]
        KpiAreaMonthly.objects.create(
            month=month, area=area, area_path=area.path, dispatched=dispatched, responded_on_time=on_time
        )
    indicator_catalogue_sync()
    return tree


@pytest.fixture
def mengce(tree, cast, make_user):
    user = make_user("mengce", first_name="孟测")
    grant_bootstrap(user=user, role=Role.CITY_ADMIN, area=tree["T0"], reason="test")
    return user


@pytest.fixture
def street_officer_b(tree, cast, make_user):
    """An officer of 三街道 (乙区): 甲区 is outside his areas."""
    user = make_user("sanjie")
    grant_bootstrap(user=user, role=Role.STREET_OFFICER, area=tree["T0B1"], reason="test")
    return user
