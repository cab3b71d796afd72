"""Owners' vote tally bench: a 20,000-part estate tallied by the production path (shequ.owners.services.vote_tally:
two queries and the engine) against a naive baseline in the same run (ORM objects and Fractions, Art. 278 read
aloud), both on the same database rows; their decisions must agree.

    DATABASE_URL=sqlite:////tmp/ownbench.sqlite3 flock /tmp/shequ-bench.lock .venv/bin/python bench/owners/run.py

The database is migrated if it is empty (about 40 s on SQLite). The estate is synthetic: 20,000 exclusive parts,
about 8 % held by buyers of several parts, 5 % by co-owners, 3 % unsold by the developer, areas from 35 to 180 m²
with two decimals, registered / surveyed / contract; about 72 % of the persons vote (one choice per person for all
their parts), on three matters (items 4, 6 and 9). Ballot rows are inserted in bulk: the bench measures the tally,
not casting (casting is one locked transaction per person, tested in shequ/owners/tests).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from shequ.geo.models import Area  # noqa: E402
from shequ.owners import services  # noqa: E402
from shequ.owners.models import Ballot, Owner, Ownership, Part, RollEntry, Vote  # noqa: E402

ITEMS = (4, 6, 9)


def ensure_schema() -> None:
    if "owners_part" not in connection.introspection.table_names():
        print("migrating an empty database…", flush=True)
        call_command("migrate", verbosity=0)


def estate_for(code: str) -> Area:
    chain = [("city", "BENCH"), ("district", "BENCH1"), ("street", "BENCH11"), ("community", "BENCH111")]
    chain += [("grid", "BENCH1111"), ("estate", code)]
    parent = None
    for level, c in chain:
        parent, _ = Area.objects.get_or_create(
            code=c, defaults={"level": level, "name": f"基准{level}", "parent": parent, "synthetic": True}
        )
    return parent


def build(parts: int, seed: int) -> Vote:
    rng = random.Random(seed)
    code = f"BENCH{parts}S{seed}"
    estate = estate_for(code)
    vote = Vote.objects.filter(estate=estate, status="published").first()
    if vote is not None:
        return vote
    with transaction.atomic():
        owners: list[Owner] = []
        specs = []  # (developer_unsold, [owner index])
        i = 0
        while len(specs) < parts:
            r = rng.random()
            if r < 0.03:
                specs.append((True, []))
            elif r < 0.08:
                owners += [
                    Owner(estate=estate, name=f"共有{i}a", synthetic=True),
                    Owner(estate=estate, name=f"共有{i}b", synthetic=True),
                ]
                specs.append((False, [len(owners) - 2, len(owners) - 1]))
            elif r < 0.16:
                owners.append(Owner(estate=estate, name=f"多套{i}", synthetic=True))
                for _ in range(rng.randint(2, 4)):
                    specs.append((False, [len(owners) - 1]))
            else:
                owners.append(Owner(estate=estate, name=f"业主{i}", synthetic=True))
                specs.append((False, [len(owners) - 1]))
            i += 1
        specs = specs[:parts]
        Owner.objects.bulk_create(owners, batch_size=2000)
        owners = list(Owner.objects.filter(estate=estate).order_by("pk"))
        rows = []
        for n, (unsold, _) in enumerate(specs):
            area = Decimal(rng.randint(3500, 18000)) / 100
            source = rng.choice(("area_registered", "area_registered", "area_surveyed", "area_contract"))
            rows.append(
                Part(
                    estate=estate,
                    number=f"{n // 100 + 1}-{n % 100 + 1:03d}",
                    developer_unsold=unsold,
                    synthetic=True,
                    **{source: area},
                )
            )
        Part.objects.bulk_create(rows, batch_size=2000)
        made = list(Part.objects.filter(estate=estate).order_by("pk"))
        Ownership.objects.bulk_create(
            [
                Ownership(part=p, owner=owners[o])
                for p, (_, idx) in zip(made, specs, strict=True)
                for o in idx
            ],
            batch_size=5000,
        )
    now = timezone.now()
    vote = services.vote_create(
        actor=None,
        estate=estate,
        title="基准表决",
        convener="owners_committee",
        convener_name="基准业委会",
        opens_at=now - timezone.timedelta(days=1),
        closes_at=now + timezone.timedelta(days=7),
        matters=[(f"事项{k}", item) for k, item in enumerate(ITEMS, start=1)],
        synthetic=True,
    )
    vote = services.vote_publish(
        actor=None, vote=vote, now=now - timezone.timedelta(days=20), check_notice=False
    )
    choice_of: dict[str, dict | None] = {}
    ballots = []
    for part_id, person in RollEntry.objects.filter(vote=vote).values_list("part_id", "person"):
        if person not in choice_of:
            choice_of[person] = (
                {str(k): rng.choice(("yes", "yes", "yes", "no", "abstain")) for k in range(1, len(ITEMS) + 1)}
                if rng.random() < 0.72
                else None
            )
        if choice_of[person] is not None:
            ballots.append(
                Ballot(
                    vote=vote,
                    part_id=part_id,
                    person=person,
                    choices=choice_of[person],
                    channel="online",
                    receipt="bench",
                )
            )
    Ballot.objects.bulk_create(ballots, batch_size=5000)
    return vote


def naive(vote: Vote) -> list[bool]:
    """Per matter: load the roll and the ballots as ORM objects, group owners, compare Fractions."""
    decisions = []
    for matter in vote.matters.all():
        roll = list(RollEntry.objects.filter(vote=vote))
        ballots = {b.part_id: b for b in Ballot.objects.filter(vote=vote)}
        owners: dict[str, list] = {}
        for r in roll:
            b = ballots.get(r.part_id)
            owners.setdefault(r.person, []).append((r.area, b.choices[str(matter.position)] if b else None))
        total_area = Fraction(sum(a for rs in owners.values() for a, _ in rs))
        came = [p for p, rs in owners.items() if any(c is not None for _, c in rs)]
        came_area = Fraction(sum(a for p in came for a, c in owners[p] if c is not None))
        ok = came_area / total_area >= Fraction(2, 3) and Fraction(len(came), len(owners)) >= Fraction(2, 3)
        yes = [p for p in came if any(c == "yes" for _, c in owners[p])]
        yes_area = Fraction(sum(a for p in yes for a, c in owners[p] if c == "yes"))
        if matter.item in (6, 7, 8):
            ok = (
                ok
                and yes_area / came_area >= Fraction(3, 4)
                and Fraction(len(yes), len(came)) >= Fraction(3, 4)
            )
        else:
            ok = (
                ok
                and yes_area / came_area > Fraction(1, 2)
                and Fraction(len(yes), len(came)) > Fraction(1, 2)
            )
        decisions.append(ok)
    return decisions


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ensure_schema()
    start = time.perf_counter()
    vote = build(args.parts, args.seed)
    built = time.perf_counter() - start
    roll = RollEntry.objects.filter(vote=vote)
    persons = roll.values("person").distinct().count()
    print(
        f"estate: {roll.count()} parts, {persons} persons, {Ballot.objects.filter(vote=vote).count()} ballots (built in {built:.1f} s)"
    )
    prod_times, tallies = timed(lambda: services.vote_tally(Vote.objects.get(pk=vote.pk)), args.repeat)
    naive_times, decisions = timed(lambda: naive(Vote.objects.get(pk=vote.pk)), args.repeat)
    production = [t.passed for _, t in tallies]
    assert production == decisions, (production, decisions)
    for matter, t in tallies:
        print(
            f"  matter {matter.position} item {matter.item}: area {t.voted_area}/{t.total_area}, heads "
            f"{t.voted_heads}/{t.total_heads}, yes {t.yes_area} / {t.yes_heads} → {'passed' if t.passed else 'failed'} {t.reasons}"
        )
    print(
        f"database: {connection.vendor}; machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    for label, times in (("vote_tally (production)", prod_times), ("naive baseline", naive_times)):
        print(
            f"{label:24s} median {statistics.median(times) * 1000:8.1f} ms  min {min(times) * 1000:8.1f} ms  max {max(times) * 1000:8.1f} ms  ({args.repeat} runs)"
        )
    print("decisions agree:", production)


if __name__ == "__main__":
    main()
