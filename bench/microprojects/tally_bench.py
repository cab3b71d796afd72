"""Tally a 50,000-ballot micro-project round both ways (greedy and Equal Shares) with the engine, and with the
reference implementation (shequ/microprojects/tests/reference.py) as the baseline in the same run.

    flock /tmp/shequ-bench.lock .venv/bin/python bench/microprojects/tally_bench.py [--ballots 50000]

Synthetic round: 30 proposals priced 20,000–300,000 yuan, a 1,500,000-yuan budget, each voter approving 1–5
proposals drawn with popularity weights (a few favourites, a long tail), seeded so every run sees the same round.
The engine and the reference must agree; the script exits 1 if they do not.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shequ.microprojects import engine
from shequ.microprojects.tests.reference import ref_equal_shares, ref_greedy


def make_round(n: int, seed: int = 26):
    rng = random.Random(seed)
    costs = {p: rng.randrange(20_000, 300_001, 1000) for p in range(1, 31)}
    weights = [1 / (i + 1) ** 0.8 for i in range(30)]
    ballots = []
    for _ in range(n):
        k = rng.randint(1, 5)
        ballots.append(sorted(set(rng.choices(range(1, 31), weights=weights, k=k))))
    return 1_500_000, costs, ballots


def timed(fn, repeat: int):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    budget, costs, ballots = make_round(args.ballots)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(
        f"round: {len(ballots)} ballots, {len(costs)} proposals, {len({tuple(b) for b in ballots})} distinct ballots"
    )
    ok = True
    for name, fast, ref in (
        (
            "greedy",
            lambda: engine.greedy(budget=budget, costs=costs, ballots=ballots),
            lambda: ref_greedy(budget, costs, ballots),
        ),
        (
            "equal_shares",
            lambda: engine.equal_shares(budget=budget, costs=costs, ballots=ballots),
            lambda: ref_equal_shares(budget, costs, ballots),
        ),
    ):
        t_fast, out = timed(fast, args.repeat)
        t_ref, ref_out = timed(ref, 1)
        same = (out.winners, out.spent) == tuple(ref_out)
        ok &= same
        print(
            f"{name:13s} engine {t_fast * 1000:9.1f} ms   reference {t_ref * 1000:10.1f} ms   "
            f"ratio {t_ref / t_fast:7.1f}x   winners {len(out.winners)} spent {out.spent:,}   same: {same}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
