"""The demo's micro-project rounds: a disclosed one with projects and money spent, one open for voting."""

from __future__ import annotations

import pytest

from shequ.microprojects.chain import verify_round
from shequ.microprojects.demo import seed_microprojects
from shequ.microprojects.models import Round

from .factories import verified

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_disclosed_round_and_one_open_for_voting(cast, make_resident, make_user):
    verified(make_resident(name="张伟"), cast["zhangwei"])
    for i in range(3):
        verified(make_resident(name=f"居民{i}"), make_user(f"mp_demo{i}"))
    for i in range(4):
        make_resident(name=f"纸票居民{i}")  # no account: they vote on paper
    counts = seed_microprojects(seed=1)
    assert counts["rounds"] == 2 and counts["projects"] >= 1
    finished = Round.objects.get(phase="disclose")
    assert finished.synthetic and finished.result["paper"] == 4 and finished.result["online"] == 4
    assert all(p.acceptance.rating >= 4 and 0 < p.spent <= p.budget for p in finished.projects.all())
    assert verify_round(finished).ok
    open_round = Round.objects.get(phase="vote")
    assert open_round.ballot_kind == "knapsack" and open_round.eligibility == "household"
    assert seed_microprojects(seed=1) == {"rounds": 0, "ballots": 0, "projects": 0}  # idempotent
