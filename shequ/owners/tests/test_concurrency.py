"""Twenty co-owners of one part press "vote" at the same moment, each in his own thread with his own connection:
exactly one ballot, one chain record, nineteen clear "already voted" answers, and the chain verifies (PostgreSQL:
the vote's row lock, SELECT … FOR UPDATE, with the unique (vote, part) constraint behind it)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from shequ.accounts.models import User
from shequ.core.testing import all_at_once
from shequ.owners import services
from shequ.owners.chain import verify_vote
from shequ.owners.models import Ballot, BallotRecord
from shequ.owners.register import owner_create, part_create

from .factories import make_estate, open_vote

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the race is proven on PostgreSQL"),
]

N = 20


@pytest.fixture
def world(transactional_db):
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    ensure_cast()
    estate = make_estate()
    users = [User.objects.create(username=f"co{i:02d}") for i in range(N)]
    owners = [owner_create(actor=None, estate=estate, name=f"共有人{i}", user=u) for i, u in enumerate(users)]
    part_create(actor=None, estate=estate, number="1-101", area_registered=Decimal(99), owners=owners)
    part_create(actor=None, estate=estate, number="1-102", area_registered=Decimal(88), owners=[owners[0]])
    yield open_vote(estate), users
    from shequ.audit.tests.tampering import wipe

    wipe()


def test_simultaneous_ballots_for_one_part_make_exactly_one(world):
    vote, users = world
    outcomes = all_at_once(
        lambda u: services.ballot_cast_online(user=u, vote=vote, choices={"1": "yes", "2": "no"}),
        [(u,) for u in users],
        ok="cast",
    )
    assert outcomes.count("cast") == 1 and outcomes.count("already_voted") == N - 1, outcomes
    winner = Ballot.objects.get(vote=vote, part__number="1-101").cast_by
    assert BallotRecord.objects.filter(vote=vote, part__number="1-101").count() == 1
    # co00 also holds 1-102 alone; his cast is all or nothing: that part has a ballot only if he won 1-101.
    own = Ballot.objects.filter(vote=vote, part__number="1-102").count()
    assert own == (1 if winner.username == "co00" else 0)
    assert verify_vote(vote).ok


@pytest.fixture
def neighbours(transactional_db):
    """N owners of N different parts: nothing but the vote's row lock orders their chain records."""
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():
        load_city_pack("shenzhen")
    ensure_cast()
    estate = make_estate()
    users = [User.objects.create(username=f"nb{i:02d}") for i in range(N)]
    for i, u in enumerate(users):
        owner = owner_create(actor=None, estate=estate, name=f"业主{i}", user=u)
        part_create(
            actor=None, estate=estate, number=f"2-{i:03d}", area_registered=Decimal(80), owners=[owner]
        )
    yield open_vote(estate), users
    from shequ.audit.tests.tampering import wipe

    wipe()


def test_simultaneous_ballots_for_different_parts_make_one_unbroken_chain(neighbours):
    """The race the lock exists for: without it two casts read the same chain head, and the second record either
    collides on (vote, seq) or forks the chain. The unique (vote, part) constraint cannot help here."""
    from shequ.owners.models import Vote

    vote, users = neighbours
    outcomes = all_at_once(
        lambda u: services.ballot_cast_online(user=u, vote=vote, choices={"1": "yes", "2": "abstain"}),
        [(u,) for u in users],
        ok="cast",
    )
    assert outcomes == ["cast"] * N, outcomes
    seqs = list(BallotRecord.objects.filter(vote=vote).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, N + 1))
    head = Vote.objects.get(pk=vote.pk)
    assert head.chain_seq == N and head.chain_hash == BallotRecord.objects.get(vote=vote, seq=N).hash
    assert Ballot.objects.filter(vote=vote).count() == N and verify_vote(vote).ok
