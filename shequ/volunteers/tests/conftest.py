"""Fixtures of the volunteer tests: a team in 华富街道 managed by 宋雨 (songyu), an activity with a future shift and
one running now, a registered volunteer, and the cast (DESIGN.md §8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.volunteers import services
from shequ.volunteers.models import Shift

from .helpers import (
    huafu_community,
    make_account,
    make_activity,
    make_team,
    make_volunteer,
    shift_data,
    yuehai_community,
)


@pytest.fixture
def songyu(db):
    return make_account("songyu")


@pytest.fixture
def huafu_team(cast, songyu):
    return make_team(area=huafu_community(), managers=[songyu], name="华富社区志愿服务队")


@pytest.fixture
def yuehai_team(cast):
    return make_team(area=yuehai_community(), name="粤海社区志愿服务队")


@pytest.fixture
def activity(huafu_team):
    return make_activity(huafu_team, shifts=[shift_data(capacity=3)])


@pytest.fixture
def shift(activity):
    return activity.shifts.get()


@pytest.fixture
def volunteer(cast):
    return make_volunteer(name="周晓")


@pytest.fixture
def running(huafu_team, volunteer):
    """A shift that started 30 minutes ago, with `volunteer` confirmed on it (published while it was future)."""
    act = make_activity(huafu_team, title="社区清洁日", shifts=[shift_data(capacity=5)])
    s = act.shifts.get()
    signup = services.signup_create(actor=volunteer.user, shift=s)
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    Shift.objects.filter(pk=s.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    s.refresh_from_db()
    return s, signup


@pytest.fixture
def pending_record(running, songyu):
    s, signup = running
    return services.attendance_roster(
        actor=songyu, signup=signup, started_at=s.starts_at, ended_at=s.starts_at + timedelta(minutes=20)
    )
