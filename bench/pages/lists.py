"""The dashboard's two lists (the ten newest overdue appeals in scope, the ten newest supervised ones) read with and
without their partial indexes (appeals_overdue_newest, appeals_supervised_newest), in one command, on a grown bench
database.

    .venv/bin/python bench/pages/lists.py [--db shequ_bench] [--runs 12] [--supervised-every 50]

1. migrates --db (a database a bench grew: `bench/intake/run.py` leaves `shequ_bench` with 215,000 appeals) and runs
   ANALYZE on it, as autovacuum would on a real deployment (this machine's PostgreSQL runs without it);
2. in one transaction that is rolled back at the end, so the database is left as it was: marks every
   --supervised-every-th open appeal supervised (the grown history has none; synthetic), ANALYZE; then, for each
   user of the cast (city administrator, street officer, community worker) and each list, exactly the query the
   dashboard runs (`selectors.appeal_list_for(…)[:10]` over the dashboard's area), read --runs times on one
   connection: the first read, the median of reads 2–6 (custom plans) and of reads 7 on (PostgreSQL's generic plan
   of the prepared statement, from the sixth execution), and EXPLAIN ANALYZE's execution time of one custom plan;
3. drops the two indexes (still in that transaction) and measures the same again;
4. writes bench/pages/results/<time>-lists.json and .md and prints the table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR, log

RESULTS = BENCH_DIR / "pages" / "results"
USERS = [
    "chenjing",
    "wangqiang",
    "lina",
]  # city administrator, street officer, community worker (DESIGN.md §8)
LISTS = ["overdue", "supervised"]
INDEXES = ["appeals_overdue_newest", "appeals_supervised_newest"]


class _Rollback(Exception):
    pass


def _measure(runs: int) -> list[dict]:
    from django.db import connection
    from shequ.access.scoping import scope_for
    from shequ.accounts.models import User
    from shequ.accounts.roles import Action
    from shequ.appeals import selectors

    out = []
    for name in USERS:
        user = User.objects.get(username=name)
        path = sorted(scope_for(user, Action.APPEALS_KPI).paths, key=len)[0]
        area = [code for code in path.split("/") if code][-1]
        for queue in LISTS:
            qs = selectors.appeal_list_for(user=user, area=area, queue=queue)[:10]
            times, rows = [], 0
            for _ in range(runs):
                t0 = time.perf_counter()
                rows = len(list(qs.all()))
                times.append((time.perf_counter() - t0) * 1000)
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
                plan = [row[0] for row in cursor.fetchall()]
            out.append(
                {
                    "user": name,
                    "area": area,
                    "list": queue,
                    "rows": rows,
                    "first_ms": round(times[0], 1),
                    "custom_median_ms": round(statistics.median(times[1:6]), 1),
                    "generic_median_ms": round(statistics.median(times[6:]), 1),
                    "explain_ms": float(plan[-1].split(":")[1].split("ms")[0]),
                    "uses": [i for i in INDEXES if any(i in line for line in plan)],
                }
            )
            log(json.dumps(out[-1], ensure_ascii=False))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="shequ_bench")
    p.add_argument("--runs", type=int, default=12)
    p.add_argument("--supervised-every", type=int, default=50)
    a = p.parse_args()
    if a.runs < 8:
        raise SystemExit("--runs must be 8 or more: reads 7 on are the generic plan's")
    if not benchenv.database_exists(a.db):
        raise SystemExit(f"no database {a.db}: run bench/intake/run.py (or bench/kpi/run.py) first")
    env = benchenv.django_env(a.db, conn_max_age=600)
    benchenv.manage(env, "migrate", "--noinput", "-v", "0")
    benchenv.setup_django_here(a.db, conn_max_age=600)
    from django.db import connection, transaction
    from shequ.appeals.models import OVERDUE, Appeal

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report: dict = {"command": " ".join(["bench/pages/lists.py", *sys.argv[1:]]), "db": a.db}
    report["appeals"] = Appeal.objects.count()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE appeals_appeal SET supervised = true WHERE status IN "
                    "('submitted', 'dispatched', 'signed_for', 'in_progress', 'replied') AND id %% %s = 0",
                    [a.supervised_every],
                )
                report["supervised_marked"] = cursor.rowcount
                cursor.execute("ANALYZE appeals_appeal")
            report["overdue"] = Appeal.objects.filter(OVERDUE).count()
            log("with the indexes")
            report["with"] = _measure(a.runs)
            with connection.cursor() as cursor:
                for index in INDEXES:
                    cursor.execute(f"DROP INDEX {index}")
            log("without them")
            report["without"] = _measure(a.runs)
            raise _Rollback
    except _Rollback:
        pass
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stamp}-lists.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    lines = [
        f"`.venv/bin/python {report['command']}`",
        "",
        f"{report['appeals']:,} appeals; {report['overdue']:,} of them open and overdue; "
        f"{report['supervised_marked']:,} open ones marked supervised for the run (synthetic, rolled back)",
        "",
        "| user (area) | list | rows | without: first / custom median / generic median ms | with: first / custom "
        "median / generic median ms | EXPLAIN ANALYZE ms without → with | index used |",
        "|---|---|---|---|---|---|---|",
    ]
    for before, after in zip(report["without"], report["with"], strict=True):
        lines.append(
            f"| {after['user']} ({after['area']}) | {after['list']} | {after['rows']} "
            f"| {before['first_ms']} / {before['custom_median_ms']} / {before['generic_median_ms']} "
            f"| {after['first_ms']} / {after['custom_median_ms']} / {after['generic_median_ms']} "
            f"| {before['explain_ms']} → {after['explain_ms']} | {', '.join(after['uses']) or '-'} |"
        )
    (RESULTS / f"{stamp}-lists.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    log(f"wrote {RESULTS}/{stamp}-lists.json and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
