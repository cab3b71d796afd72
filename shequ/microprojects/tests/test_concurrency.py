"""Races proven on PostgreSQL, each voter in his own thread with his own connection:

- twenty members of one household press "vote" at once in a one-ballot-per-household round: exactly one ballot,
  nineteen clear "already voted" answers;
- twenty different residents vote at once: twenty ballots, one unbroken chain;
- and the database itself refuses a second participation, whatever the service checked first."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from shequ.core.testing import all_at_once
from shequ.microprojects import services
from shequ.microprojects.chain import verify_round
from shequ.microprojects.models import Ballot, Participation

from .factories import huafu, round_in_vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the race is proven on PostgreSQL"),
]

N = 20


@pytest.fixture
def world(transactional_db):
    from shequ.accounts.models import User
    from shequ.core.idnumbers import make_id_number
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area
    from shequ.residents.services import household_create, resident_create

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    cast = ensure_cast()
    community = Area.objects.filter(parent=huafu()).order_by("code").first()

    def residents(prefix: str, one_household: bool):
        shared = household_create(actor=None, area=community, room="1栋101室")
        people = []
        for i in range(N):
            household = (
                shared if one_household else household_create(actor=None, area=community, room=f"{i}室")
            )
            r = resident_create(
                actor=None,
                household=household,
                name=f"居民{i}",
                id_number=make_id_number("440304", date(1970 + i, 1, 1 + (prefix == "b")), i, "male"),
                phone="",
            )
            user = User.objects.create(username=f"{prefix}{i:02d}")
            type(r).objects.filter(pk=r.pk).update(user=user)
            people.append(user)
        return people

    yield cast, residents
    from shequ.audit.tests.tampering import wipe

    wipe()


def _race(users, fn) -> list[str]:
    return all_at_once(fn, [(u,) for u in users], ok="cast")


def test_one_household_voting_twenty_times_at_once_makes_one_ballot(world):
    cast, residents = world
    users = residents("a", one_household=True)
    rnd, (p, *_rest) = round_in_vote(cast["lina"], users[0], eligibility="household")
    outcomes = _race(users, lambda u: services.ballot_cast_online(user=u, rnd=rnd, choices=[p.pk]))
    assert outcomes.count("cast") == 1 and outcomes.count("already_voted") == N - 1, outcomes
    assert Ballot.objects.filter(round=rnd).count() == 1 == Participation.objects.filter(round=rnd).count()
    assert verify_round(rnd).ok


def test_twenty_residents_voting_at_once_make_twenty_ballots_in_one_chain(world):
    cast, residents = world
    users = residents("b", one_household=False)
    rnd, (p, q, _r) = round_in_vote(cast["lina"], users[0])
    outcomes = _race(users, lambda u: services.ballot_cast_online(user=u, rnd=rnd, choices=[p.pk, q.pk]))
    assert outcomes == ["cast"] * N, outcomes
    report = verify_round(rnd)
    assert report.ok and report.checked == N, report.problems


def test_the_database_refuses_a_second_participation(world):
    cast, residents = world
    users = residents("c", one_household=False)
    rnd, _proposals = round_in_vote(cast["lina"], users[0])
    Participation.objects.create(round=rnd, voter="r:1", channel="online")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(round=rnd, voter="r:1", channel="paper")
