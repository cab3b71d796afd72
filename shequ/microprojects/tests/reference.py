"""A reference implementation of greedy and the Method of Equal Shares, written from the published definitions and
on purpose differently from shequ.microprojects.engine: one budget per voter (no grouping of equal ballots), the
price ρ found by trying every "how many supporters pay all they hold" and checked by the defining equation
Σ min(bᵢ, ρ) = cost, and projects compared one pair at a time. Slow and plain; the property tests and the bench
compare the engine with it.

Definitions: Peters, Pierczyński, Skowron, "Proportional Participatory Budgeting with Additive Utilities" (NeurIPS
2021), Method of Equal Shares with approval (cost-independent) utilities, and equalshares.net's recommended
completion (the left-over budget spent greedily by votes); greedy as CONSUL and Decidim count it. Tie-break: more
votes, then lower price, then smaller id.
"""

from __future__ import annotations

from fractions import Fraction


def _votes(costs, ballots):
    return {p: sum(1 for b in ballots if p in b) for p in costs}


def _better(p, q, votes, costs):
    """Whether p comes before q in vote order."""
    if votes[p] != votes[q]:
        return votes[p] > votes[q]
    if costs[p] != costs[q]:
        return costs[p] < costs[q]
    return p < q


def _vote_order(costs, votes):
    order: list[int] = []
    for p in costs:  # insertion sort with the pairwise rule
        i = 0
        while i < len(order) and _better(order[i], p, votes, costs):
            i += 1
        order.insert(i, p)
    return order


def ref_greedy(budget, costs, ballots):
    ballots = [set(b) for b in ballots]
    votes = _votes(costs, ballots)
    chosen, left = [], budget
    for p in _vote_order(costs, votes):
        if votes[p] > 0 and costs[p] <= left:
            chosen.append(p)
            left -= costs[p]
    return chosen, budget - left


def _rho(cost, holdings):
    """The smallest ρ with Σ min(b, ρ) = cost, or None."""
    if sum(holdings, Fraction(0)) < cost:
        return None
    hs = sorted(holdings)
    prefix = Fraction(0)
    for full in range(len(hs)):  # the `full` poorest pay all they hold, the others ρ each
        rho = (cost - prefix) / (len(hs) - full)
        if (full == 0 or hs[full - 1] < rho) and rho <= hs[full]:
            assert sum((min(h, rho) for h in hs), Fraction(0)) == cost  # the defining equation
            return rho
        prefix += hs[full]
    return None


def ref_equal_shares(budget, costs, ballots):
    ballots = [set(b) for b in ballots]
    votes = _votes(costs, ballots)
    n = len(ballots)
    if n == 0:
        return [], 0
    money = [Fraction(budget, n)] * n
    chosen: list[int] = []
    while True:
        pick, pick_rho = None, None
        for p in costs:
            if p in chosen or votes[p] == 0:
                continue
            supporters = [i for i in range(n) if p in ballots[i]]
            rho = _rho(costs[p], [money[i] for i in supporters])
            if rho is None:
                continue
            if pick is None or rho < pick_rho or (rho == pick_rho and _better(p, pick, votes, costs)):
                pick, pick_rho = p, rho
        if pick is None:
            break
        for i in range(n):
            if pick in ballots[i]:
                money[i] -= min(money[i], pick_rho)
        chosen.append(pick)
    left = budget - sum(costs[p] for p in chosen)
    for p in _vote_order(costs, votes):
        if p not in chosen and votes[p] > 0 and costs[p] <= left:
            chosen.append(p)
            left -= costs[p]
    return chosen, budget - left
