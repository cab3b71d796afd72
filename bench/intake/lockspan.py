"""How long one intake holds a lock every intake queues on, and how many statements it runs: in-process.

    .venv/bin/python bench/intake/lockspan.py [--n 300] [--db shequ_bench]

Calls services.appeal_submit directly (no HTTP) on the bench database, one appeal after another, with the bench's
request bodies. For each one it times the span from the first city-wide lock (the `SELECT … FOR UPDATE` on
`appeals_appealnumber` in the first version, the audit chain's `pg_advisory_xact_lock` since numbers come from a
sequence, taken inside the function `audit_append` since audit migration 0005: the span then starts with the
statement that calls it, an upper bound) to the end of appeal_submit (COMMIT, then the outbox SMS row written after commit: an upper bound of
the time the lock is held), and counts the statements in all and inside that span. Since every intake in the city
queues on that lock, 1 / span is the most intakes per second the database lets through, whatever the number of
workers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import WORK, log


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--db", default="shequ_bench")
    args = p.parse_args()
    log(benchenv.uptime())
    benchenv.setup_django_here(args.db)
    import json

    from bench.lib import payloads
    from django.db import connection
    from shequ.appeals import services

    path = WORK / "lockspan.jsonl"
    payloads.write_payloads(path, n=args.n, seed=4242)
    bodies = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    state: dict = {}

    def wrapper(execute, sql, params, many, context):
        # The first lock every intake in the city queues on: the day's number row (before the sequence), else
        # the audit chain's advisory lock (in audit_append since audit migration 0005).
        serial = (
            ("FOR UPDATE" in sql and "appealnumber" in sql)
            or "pg_advisory_xact_lock" in sql
            or "audit_append" in sql
        )
        if serial and "start" not in state:
            state["start"], state["inside"] = time.perf_counter(), 0
        state["all"] = state.get("all", 0) + 1
        if "start" in state:
            state["inside"] += 1
        return execute(sql, params, many, context)

    spans, totals, counts = [], [], []
    with connection.execute_wrapper(wrapper):
        for b in bodies:
            data = services.IntakeData(
                text=b["text"],
                channel=b["channel"],
                category=b.get("category"),
                area=b.get("area"),
                lat=b.get("lat"),
                lng=b.get("lng"),
                contact_phone=b["contact_phone"],
                anonymous=b.get("anonymous", False),
                attributes=b.get("attributes"),
            )
            state.clear()
            t0 = time.perf_counter()
            appeal = services.appeal_submit(actor=None, data=data)
            end = time.perf_counter()
            totals.append(end - t0)
            spans.append(end - state["start"])
            counts.append((appeal.status, state["all"], state["inside"]))

    def q(xs: list[float], p: float) -> float:
        return sorted(xs)[max(0, int(p * len(xs)) - 1)]

    by_status: dict[str, list[tuple[int, int]]] = {}
    for status, n_all, n_inside in counts:
        by_status.setdefault(status, []).append((n_all, n_inside))
    for status, xs in sorted(by_status.items()):
        print(
            f"{status}: {len(xs)} appeals, statements in all {min(a for a, _ in xs)}–{max(a for a, _ in xs)}, "
            f"inside the locked span {min(i for _, i in xs)}–{max(i for _, i in xs)}"
        )
    print(
        f"appeal_submit p50 {1000 * q(totals, 0.5):.1f} ms, p90 {1000 * q(totals, 0.9):.1f} ms; locked span p50 "
        f"{1000 * q(spans, 0.5):.1f} ms, p90 {1000 * q(spans, 0.9):.1f} ms → at most {1 / q(spans, 0.5):.0f} "
        "intakes/s in series"
    )
    log(benchenv.uptime())
    return 0


if __name__ == "__main__":
    sys.exit(main())
