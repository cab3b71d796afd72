"""What a PostgreSQL checkpoint costs the intakes that follow it: WAL bytes, full-page images and CPU per intake,
right after `CHECKPOINT` and in the batches after it (in process, as inproc.py: the real POST /api/v1/appeals
through Django's test client on PostgreSQL).

    .venv/bin/python bench/intake/checkpoint.py [--n 800] [--batches 4] [--db shequ_prof] [--by-relation]

After a checkpoint, the first change to each page writes the whole page to the WAL (full_page_writes), so the
intakes right after one write several times the WAL of those a few minutes later (whether they also cost more CPU
is what the CPU columns show); the full intake runs' slowest steps began soon after checkpoints in the server's log
(RESULTS.md §1.1). --by-relation lists the relations
whose full-page images weigh most in the first batch (needs the pg_walinspect extension, created if missing:
superuser). The database is made as inproc.py makes it, and grows by --n × --batches + 100 appeals a run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv, inprocess
from bench.lib.benchenv import log


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=800, help="intakes per batch")
    p.add_argument("--batches", type=int, default=4, help="the first right after CHECKPOINT")
    p.add_argument("--db", default="shequ_prof")
    p.add_argument(
        "--by-relation", action="store_true", help="full-page images of the first batch by relation"
    )
    args = p.parse_args()
    bodies, post = inprocess.intake_poster(
        args.db, bodies=args.n * args.batches + 100, tag="checkpoint", broker="redis://127.0.0.1:6379/12"
    )
    from django.db import connection

    def one(sql: str, params: list | None = None):
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def run(sql: str) -> None:
        with connection.cursor() as cur:
            cur.execute(sql)

    def wal_counts() -> tuple[int, int]:
        """pg_stat_wal's full-page images and records. A backend reports its counts only now and then (at most once
        a second, when idle), so this one is made to report first: the intakes ran on its connection."""
        run("SELECT pg_stat_force_next_flush()")  # the report happens when this statement's transaction ends
        return one("SELECT wal_fpi, wal_records FROM pg_stat_wal")

    for body in bodies[:100]:  # warm-up: connections, caches, prepared statements
        post(body)
    if args.by_relation:
        run("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
    run("CHECKPOINT")
    first: tuple[str, str] | None = None
    at = 100
    for batch in range(args.batches):
        lsn0, (fpi0, records0) = one("SELECT pg_current_wal_lsn()")[0], wal_counts()
        pg0, cpu0 = benchenv.pg_cpu(), time.process_time()
        for body in bodies[at : at + args.n]:
            post(body)
        at += args.n
        cpu, pg = time.process_time() - cpu0, benchenv.pg_cpu() - pg0
        lsn1, (fpi1, records1) = one("SELECT pg_current_wal_lsn()")[0], wal_counts()
        wal = one("SELECT %s::pg_lsn - %s::pg_lsn", [lsn1, lsn0])[0]
        if first is None:
            first = (lsn0, lsn1)
        label = "right after CHECKPOINT" if batch == 0 else f"batch {batch + 1}"
        log(
            f"{label:>22}: {float(wal) / args.n / 1024:.1f} kB of WAL, {(fpi1 - fpi0) / args.n:.1f} full-page "
            f"images, {(records1 - records0) / args.n:.0f} WAL records per intake; CPU per intake "
            f"{1000 * pg / args.n:.2f} ms of PostgreSQL, {1000 * cpu / args.n:.2f} ms in this process"
        )
    if args.by_relation and first is not None:
        with connection.cursor() as cur:
            cur.execute(
                """
                SELECT coalesce(c.relname, '(other)'), count(*) FILTER (WHERE r.fpi_length > 0),
                       coalesce(sum(r.fpi_length), 0)
                FROM (SELECT substring(block_ref FROM 'rel [0-9]+/[0-9]+/([0-9]+)')::oid AS relfilenode,
                             fpi_length
                      FROM pg_get_wal_records_info(%s, %s)) r
                LEFT JOIN pg_class c ON c.relfilenode = r.relfilenode
                GROUP BY 1 ORDER BY 3 DESC LIMIT 15
                """,
                list(first),
            )
            log("full-page images of the first batch, by relation (bytes per intake):")
            for name, count, size in cur.fetchall():
                log(f"  {name:<45} {count:>6} images  {int(size) / args.n:>8.0f} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
