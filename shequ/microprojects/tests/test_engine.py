"""The counting methods against the reference implementation written from the published definitions, on random
rounds (Hypothesis), and two rounds worked by hand."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.microprojects import engine

from .reference import ref_equal_shares, ref_greedy


@st.composite
def rounds(draw, max_projects=7, max_voters=25):
    k = draw(st.integers(1, max_projects))
    budget = draw(st.integers(1, 200))
    # Cheap projects too, so that rounds buy several and voters run short of their share (ρ above what they hold).
    top = draw(st.sampled_from([budget // 8, budget // 3, budget, 2 * budget]))
    costs = {p: draw(st.integers(1, max(1, top))) for p in range(1, k + 1)}
    ballots = draw(
        st.lists(st.frozensets(st.sampled_from(sorted(costs)), max_size=k), min_size=0, max_size=max_voters)
    )
    return budget, costs, [sorted(b) for b in ballots]


@settings(max_examples=400, deadline=None)
@given(rounds())
def test_greedy_equals_the_reference(instance):
    budget, costs, ballots = instance
    outcome = engine.greedy(budget=budget, costs=costs, ballots=ballots)
    assert (outcome.winners, outcome.spent) == ref_greedy(budget, costs, ballots)
    assert outcome.spent <= budget


@settings(max_examples=400, deadline=None)
@given(rounds())
def test_equal_shares_equals_the_reference(instance):
    budget, costs, ballots = instance
    outcome = engine.equal_shares(budget=budget, costs=costs, ballots=ballots)
    assert (outcome.winners, outcome.spent) == ref_equal_shares(budget, costs, ballots)
    assert outcome.spent <= budget


@settings(max_examples=200, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_tallies_do_not_depend_on_the_order_of_the_ballots(instance, rnd: random.Random):
    budget, costs, ballots = instance
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    shuffled = [list(reversed(b)) for b in shuffled]  # nor on the order of the choices in a ballot
    for method in (engine.GREEDY, engine.EQUAL_SHARES):
        a = engine.tally(method=method, budget=budget, costs=costs, ballots=ballots)
        b = engine.tally(method=method, budget=budget, costs=costs, ballots=shuffled)
        assert (a.winners, a.spent, a.votes) == (b.winners, b.spent, b.votes)


def _worked_round():
    # 10 voters, 100 yuan: 7 want the three A projects, 3 want B; every project costs 30.
    costs = {1: 30, 2: 30, 3: 30, 4: 30}
    ballots = [[1, 2, 3]] * 7 + [[4]] * 3
    return costs, ballots


def test_greedy_gives_the_majority_everything_it_wants():
    costs, ballots = _worked_round()
    outcome = engine.greedy(budget=100, costs=costs, ballots=ballots)
    assert outcome.winners == [1, 2, 3]
    assert outcome.spent == 90
    assert outcome.votes == {1: 7, 2: 7, 3: 7, 4: 3}


def test_equal_shares_funds_the_minoritys_project_with_its_share():
    """Each voter holds 10 yuan. A1 and A2 cost the seven 30/7 each (≈4.29); then the seven hold 10/7 each, 10
    together, too little for A3; the three pay 10 each for B."""
    costs, ballots = _worked_round()
    outcome = engine.equal_shares(budget=100, costs=costs, ballots=ballots)
    assert outcome.winners == [1, 2, 4]
    assert outcome.prices == {1: "30/7", 2: "30/7", 4: "10"}
    assert outcome.spent == 90 and outcome.completion == []


def test_equal_shares_completion_spends_what_is_left_in_vote_order():
    # Two voters, 100 yuan: each holds 50. Project 2 (60, both want it) costs each 30 and is bought first.
    costs = {1: 40, 2: 60}
    ballots = [[1, 2], [2]]
    outcome = engine.equal_shares(budget=100, costs=costs, ballots=ballots)
    # 2 (two votes) costs 30 each of the two: bought first; then voter one holds 20, too little for 1 (40).
    assert outcome.winners[0] == 2
    assert outcome.completion == [1]
    assert outcome.spent == 100


def test_a_project_nobody_chose_is_not_funded():
    outcome = engine.greedy(budget=100, costs={1: 10, 2: 10}, ballots=[[1]])
    assert outcome.winners == [1]


def test_ties_go_to_the_lower_price_then_the_earlier_proposal():
    outcome = engine.greedy(budget=60, costs={1: 40, 2: 30, 3: 30}, ballots=[[1, 2, 3]])
    assert outcome.winners == [2, 3]
    outcome = engine.greedy(budget=60, costs={1: 40, 2: 30, 3: 30}, ballots=[[1, 2, 3], [1]])
    assert outcome.winners == [1]


def test_equal_shares_compares_a_tie_in_price_with_a_project_not_yet_priced_this_round():
    """The search stops once a project's lower bound passes the best price found; a project whose bound *equals*
    it must still be priced, since it may win the tie on votes. (Stopping there picked project 4 below; no random
    round of the property tests found it.)

    20 yuan, 6 voters, 10/3 each. Round 1: project 3 (3 yuan, 3 voters) at 1 each. Round 2: project 4 (5 yuan;
    one of its two voters has only 7/3 left) costs its other voter 8/3, exactly project 1's 8/3 (8 yuan, 3
    voters), whose bound is also 8/3: the tie goes to project 1, with more votes. Project 4 then cannot be paid
    for (3 yuan left among its voters) and comes in by completion."""
    costs = {1: 8, 2: 5, 3: 3, 4: 5}
    ballots = [[2, 3], [1], [1], [3, 4], [3], [1, 4]]
    bare = engine.equal_shares(budget=20, costs=costs, ballots=ballots, completion=False)
    assert (bare.winners, bare.spent) == ([3, 1], 11)
    assert bare.prices == {3: "1", 1: "8/3"}
    full = engine.equal_shares(budget=20, costs=costs, ballots=ballots)
    assert (full.winners, full.spent, full.completion) == ([3, 1, 4], 16, [4])
    assert (full.winners, full.spent) == ref_equal_shares(20, costs, ballots)


def test_equal_shares_voters_who_pay_all_they_hold_are_left_with_nothing_not_less():
    """A voter who holds less than the price pays what he holds and keeps 0; were he left below 0, his debt would
    make later projects unaffordable to his neighbours. (A planted bug of this kind passed the property tests.)

    30 yuan, 6 voters, 5 each. Project 2 (6 yuan, 2 voters) at 3 each. Projects 1 and 3 (10 yuan, 3 voters each,
    voter 4 in both with 2 left) then cost 4 each to the others; the tie goes to project 1 (lower number): voter 4
    pays his 2. Project 3 is still affordable: voters 2 and 6 pay 5 each, voter 4 has nothing left."""
    costs = {1: 10, 2: 6, 3: 10}
    ballots = [[2], [3], [1], [1, 2, 3], [1], [3]]
    bare = engine.equal_shares(budget=30, costs=costs, ballots=ballots, completion=False)
    assert (bare.winners, bare.spent) == ([2, 1, 3], 26)
    assert bare.prices == {2: "3", 1: "4", 3: "5"}
    assert (bare.winners, bare.spent) == ref_equal_shares(30, costs, ballots)
