"""Ten members of one household press "submit" at the same moment, each in his own thread with his own connection:
exactly one response, one participation, nine clear "already answered" (PostgreSQL: the unique (survey, key) of
Participation, inserted first in each answer's transaction, makes the others wait and then fail)."""

from __future__ import annotations

import pytest
from django.db import connection

from shequ.accounts.models import User
from shequ.core.testing import all_at_once
from shequ.residents.models import Resident
from shequ.surveys import services
from shequ.surveys.models import Invitation, Participation, Response

from .factories import GOOD, communities, household_with_resident, make_survey

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the race is proven on PostgreSQL"),
]

N = 10


@pytest.fixture
def household(transactional_db):
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    cast = ensure_cast()
    users = [User.objects.create(username=f"member{i:02d}") for i in range(N)]
    head = household_with_resident(communities()[0], users[0])
    for user in users[1:]:
        member = household_with_resident(communities()[0], user)
        Resident.objects.filter(pk=member.pk).update(household=head.household)
    survey = make_survey(cast["lina"], area=communities()[0])
    yield survey, users
    from shequ.audit.tests.tampering import wipe

    wipe()


def test_simultaneous_answers_of_one_household_make_exactly_one(household):
    survey, users = household
    outcomes = all_at_once(
        lambda u: services.response_submit(user=u, survey=survey, answers=GOOD),
        [(u,) for u in users],
        ok="answered",
    )
    assert outcomes.count("answered") == 1 and outcomes.count("already_answered") == N - 1, outcomes
    assert Response.objects.filter(survey=survey).count() == 1
    assert Participation.objects.filter(survey=survey).count() == 1
    assert Invitation.objects.filter(survey=survey, responded=True).count() == 1
