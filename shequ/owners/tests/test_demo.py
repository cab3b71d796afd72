"""The demo's owners' data: a register in every district's estate, a finished and an open vote, synthetic, chained."""

from __future__ import annotations

import pytest

from shequ.owners.chain import verify_vote
from shequ.owners.demo import seed_owners
from shequ.owners.models import Ballot, Part, Vote
from shequ.owners.services import persons_of_user, vote_phase

from .factories import make_estate

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_registers_and_votes_and_leaves_zhangweis_ballot_to_him(cast):
    from shequ.residents.services import household_create, resident_create

    huafu = make_estate("华富街道", "9901")
    yuehai = make_estate("粤海街道", "9902")
    household = household_create(actor=None, area=huafu, room="1-101", synthetic=True)
    resident = resident_create(
        actor=None, household=household, name="张伟", id_number="110101199003074514", phone="13800000001"
    )
    resident.user = cast["zhangwei"]
    resident.save(update_fields=["user"])

    assert seed_owners(seed=1) >= 2 * 48
    for estate in (huafu, yuehai):
        votes = Vote.objects.filter(estate=estate)
        assert sorted(vote_phase(v) for v in votes) == ["final", "voting"]
        assert (
            all(v.synthetic for v in votes)
            and Part.objects.filter(estate=estate, synthetic=True).count() >= 48
        )
        assert Part.objects.filter(estate=estate, developer_unsold=True).count() == 4
        for v in votes:
            assert verify_vote(v).ok
    final = Vote.objects.get(estate=huafu, status="final")
    assert final.final["matters"][0]["total_heads"] > 0
    open_vote = Vote.objects.get(estate=huafu, status="published")
    mine = persons_of_user(cast["zhangwei"], open_vote)
    assert mine and not Ballot.objects.filter(vote=open_vote, person__in=mine).exists()
    assert Ballot.objects.filter(vote=open_vote).exists()  # some neighbours have voted
    # 张伟 holds two flats: one person.
    assert Part.objects.filter(estate=huafu, ownerships__owner__resident=resident).count() == 2
    assert seed_owners(seed=1) == 0  # idempotent


def test_a_synthetic_estate_deleted_takes_its_register_and_votes_along(cast):
    """The demo's own test deletes synthetic estates and seeds again: the register and the votes go with them."""
    from shequ.geo.models import Area
    from shequ.owners.models import BallotRecord, Owner

    estate = make_estate("粤海街道", "9902")
    seed_owners(seed=1)
    assert Vote.objects.filter(estate=estate).exists() and BallotRecord.objects.exists()
    Area.objects.filter(pk=estate.pk).delete()
    assert not Part.objects.exists() and not Owner.objects.exists() and not Vote.objects.exists()
    assert not BallotRecord.objects.exists()
