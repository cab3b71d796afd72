"""The hook from shequ.volunteers, for real: an organiser confirms hours and the volunteer's balance rises in the
same transaction; a confirmation that rolls back leaves no credit; a group activity's hours go to the team."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from shequ.timebank import ledger
from shequ.timebank.choices import AccountKind
from shequ.timebank.models import Account, Earning
from shequ.timebank.selectors import account_of
from shequ.volunteers import services as volunteers
from shequ.volunteers.tests.helpers import make_account, make_team, make_volunteer
from shequ.volunteers.tests.test_services import _move, _running_shift

pytestmark = pytest.mark.django_db


def hours_to_confirm(manager, *, minutes=60, group=False):
    team = make_team(managers=[manager])
    activity, shift = _running_shift(team)
    if group:
        type(activity).objects.filter(pk=activity.pk).update(is_group=True)
    volunteer = make_volunteer()
    signup = volunteers.signup_create(actor=volunteer.user, shift=shift)
    shift = _move(shift, timezone.now() - timedelta(minutes=90))
    record = volunteers.attendance_roster(
        actor=manager,
        signup=signup,
        started_at=shift.starts_at,
        ended_at=shift.starts_at + timedelta(minutes=minutes),
    )
    return team, volunteer, record


def test_confirmed_hours_raise_the_balance_through_the_hook():
    manager = make_account()
    _team, volunteer, record = hours_to_confirm(manager, minutes=90)
    assert account_of(volunteer.user) is None  # pending hours earn nothing
    volunteers.hours_confirm(actor=manager, record=record)
    assert account_of(volunteer.user).balance == 90
    assert Earning.objects.get(hours_ref=str(record.pk)).credited == 90
    assert ledger.verify().ok


def test_a_confirmation_that_rolls_back_leaves_no_credit():
    manager = make_account()
    _team, volunteer, record = hours_to_confirm(manager)
    with pytest.raises(RuntimeError), transaction.atomic():
        volunteers.hours_confirm(actor=manager, record=record)
        raise RuntimeError("the confirmation fails after the hook")
    assert account_of(volunteer.user) is None or account_of(volunteer.user).balance == 0
    assert not Earning.objects.exists()


def test_group_hours_are_credited_to_the_team():
    manager = make_account()
    team, volunteer, record = hours_to_confirm(manager, group=True)
    volunteers.hours_confirm(actor=manager, record=record)
    assert account_of(volunteer.user) is None or account_of(volunteer.user).balance == 0
    assert Account.objects.get(kind=AccountKind.TEAM, team_ref=team.pk).balance == 60


def test_a_visit_request_suggests_the_volunteer_who_cares_for_elders_first(person):
    """The help page's suggestions go through volunteers_matching (a break there fails here, not silently)."""
    from shequ.timebank import services
    from shequ.timebank.selectors import helpers_for

    from .helpers import hours_record

    carer = make_volunteer(skills=["elder_care"])
    make_volunteer(skills=[])  # no such skill: suggested only if he has a time bank account nearby
    mother = person("mother")
    neighbour = person("neighbour")
    services.account_open(user=neighbour)
    services.timebank_earn_for_hours(hours_record(mother, 60))
    request = services.help_request_create(actor=mother, kind="visit", description="陪我聊聊天", minutes=60)
    helpers = helpers_for(request)
    assert helpers[0] == carer.user
    assert neighbour in helpers and mother not in helpers
