"""Winners of a round from its ballots: greedy in vote order, or the Method of Equal Shares (MES).

Pure functions over plain data (no database), so that the recount command, the published result, the property
tests and the bench all run the same code. Money is whole yuan; shares are exact fractions, never floats, so that a
tie is a tie on every machine.

Ballots are sets of proposal ids (an approval ballot, or the projects of a knapsack ballot); a voter approves each
project on his ballot (approval utilities, as in Peters & Skowron's MES for approval ballots).

Greedy (CONSUL, Decidim): projects by votes, most first; a project is funded if it fits in what is left of the
budget, else skipped and the next one is tried.

Equal Shares (Peters, Pierczyński & Skowron 2021; equalshares.net): the budget is split equally between the voters.
A project costing c can be bought if its supporters still hold c together; its price per supporter ρ is the
smallest number such that Σ min(bᵢ, ρ) = c over its supporters. The project with the smallest ρ is bought and each
supporter pays min(bᵢ, ρ); repeat until no project is affordable. Then, as equalshares.net recommends, what is
left of the budget is spent greedily in vote order on the remaining projects that fit (the "completion").

Tie-break (published with every result): equal votes (greedy) or equal ρ (Equal Shares) → more votes first, then
the lower price, then the earlier proposal (the smaller id).

Speed: voters with the same ballot always hold the same amount under Equal Shares (they pay the same for every
project bought), so they are handled as one group with a count. 50,000 ballots over 30 projects have at most a few
thousand distinct ballots; bench/microprojects measures it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

GREEDY = "greedy"
EQUAL_SHARES = "equal_shares"
TIE_BREAK = "votes_then_lower_price_then_earlier"


@dataclass
class Outcome:
    method: str
    budget: int
    voters: int
    votes: dict[int, int]
    winners: list[int]  # in the order they were funded
    spent: int
    completion: list[int] = field(default_factory=list)  # Equal Shares: funded by the greedy completion
    prices: dict[int, str] = field(default_factory=dict)  # Equal Shares: ρ of each project bought, as text


def count_votes(ballots: Iterable[Iterable[int]], costs: Mapping[int, int]) -> tuple[Counter, int]:
    votes: Counter = Counter({p: 0 for p in costs})
    n = 0
    for ballot in ballots:
        n += 1
        for p in ballot:
            votes[p] += 1
    return votes, n


def _order(votes: Mapping[int, int], costs: Mapping[int, int]) -> list[int]:
    return sorted(costs, key=lambda p: (-votes[p], costs[p], p))


def greedy(*, budget: int, costs: Mapping[int, int], ballots: Iterable[Iterable[int]]) -> Outcome:
    votes, n = count_votes(ballots, costs)
    winners, left = _greedy_fill(votes, costs, budget, exclude=set())
    return Outcome(GREEDY, budget, n, dict(votes), winners, budget - left)


def _greedy_fill(votes, costs, left: int, exclude: set[int]) -> tuple[list[int], int]:
    chosen = []
    for p in _order(votes, costs):
        # A project nobody voted for is not funded, whatever money is left.
        if p in exclude or votes[p] == 0:
            continue
        if costs[p] <= left:
            chosen.append(p)
            left -= costs[p]
    return chosen, left


def equal_shares(
    *, budget: int, costs: Mapping[int, int], ballots: Iterable[Iterable[int]], completion: bool = True
) -> Outcome:
    groups: Counter = Counter(frozenset(b) for b in ballots)
    n = sum(groups.values())
    votes: Counter = Counter({p: 0 for p in costs})
    for ballot, k in groups.items():
        for p in ballot:
            votes[p] += k
    if n == 0:
        return Outcome(EQUAL_SHARES, budget, 0, dict(votes), [], 0)
    share = Fraction(budget, n)
    # One entry per distinct ballot: [ballot, how many voters, what each still holds].
    holders = [[ballot, k, share] for ballot, k in groups.items()]
    supporters = {p: [h for h in holders if p in h[0]] for p in costs}
    remaining = {p for p in costs if votes[p] > 0}
    winners: list[int] = []
    prices: dict[int, str] = {}
    spent = 0
    # ρ of a project never falls as money is spent (holdings only shrink), so the last ρ computed is a lower
    # bound: projects are tried by that bound and the search stops once the bound passes the best ρ found
    # (equalshares.net's speed-up). A project that could not be paid for once never can be.
    bound: dict[int, Fraction] = {p: Fraction(costs[p], votes[p]) for p in remaining}
    while True:
        best: tuple | None = None
        for p in sorted(remaining, key=lambda q: (bound[q], -votes[q], costs[q], q)):
            if best is not None and bound[p] > best[0]:
                break
            rho = _price(costs[p], supporters[p])
            if rho is None:
                remaining.discard(p)
                continue
            bound[p] = rho
            key = (rho, -votes[p], costs[p], p)
            if best is None or key < best:
                best = key
        if best is None:
            break
        rho, _v, cost, p = best
        for h in supporters[p]:
            h[2] -= min(h[2], rho)
        remaining.discard(p)
        winners.append(p)
        prices[p] = str(rho)
        spent += cost
    extra: list[int] = []
    if completion:
        extra, left = _greedy_fill(votes, costs, budget - spent, exclude=set(winners))
        spent = budget - left
    return Outcome(EQUAL_SHARES, budget, n, dict(votes), winners + extra, spent, extra, prices)


def _price(cost: int, groups: list[list]) -> Fraction | None:
    """The smallest ρ with Σ k·min(b, ρ) = cost over the supporters' groups, or None if they cannot pay."""
    # Many groups hold the same amount (they paid for the same projects): add them up by amount first.
    by_amount: dict[Fraction, int] = {}
    for _ballot, k, b in groups:
        by_amount[b] = by_amount.get(b, 0) + k
    total = sum((k * b for b, k in by_amount.items()), Fraction(0))
    if total < cost:
        return None
    # Walk from the poorest: those who hold less than ρ pay all they hold, the rest pay ρ each.
    paid, rest = Fraction(0), sum(by_amount.values())
    for b in sorted(by_amount):
        k = by_amount[b]
        rho = (cost - paid) / rest
        if rho <= b:
            return rho
        paid += k * b
        rest -= k
    return None  # not reached when total >= cost


def tally(*, method: str, budget: int, costs: Mapping[int, int], ballots: Iterable[Iterable[int]]) -> Outcome:
    if method == EQUAL_SHARES:
        return equal_shares(budget=budget, costs=costs, ballots=ballots)
    return greedy(budget=budget, costs=costs, ballots=ballots)
