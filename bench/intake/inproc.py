"""Where one intake's CPU goes, in-process: the real POST /api/v1/appeals through Django's test client (the full
middleware, django-ninja, the services) on PostgreSQL, with a broker configured as in production (so the
after-intake work is left queued for a worker, or published by code older than the IntakeQueue).

    .venv/bin/python bench/intake/inproc.py [--n 1000] [--db shequ_prof] [--broker redis://127.0.0.1:6379/12]
        [--sort tottime] [--only shequ/] [--dump FILE]

1. recreates --db the first time (migrate, the Shenzhen pack, the small demo seed) and migrates it afterwards;
2. warms up with 200 appeals, then times --n appeals (process CPU, wall, and all of PostgreSQL's CPU per appeal);
3. runs --n more under cProfile with a CPU-time clock and prints the functions by cumulative CPU time, ours and
   the libraries' (cProfile's own overhead inflates code with many small calls: read the shares, not the ms).

No HTTP server and no load generator: what it leaves out is gunicorn's socket work. The database grows by
2 × --n + 200 appeals a run.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv, inprocess
from bench.lib.benchenv import log


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--db", default="shequ_prof")
    p.add_argument("--broker", default="redis://127.0.0.1:6379/12", help="'' runs the task in the request")
    p.add_argument("--top", type=int, default=45)
    p.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, …")
    p.add_argument("--only", default="", help="list only functions whose file path holds this, e.g. shequ/")
    p.add_argument(
        "--dump", default="", help="also write the raw profile to this file (for pstats, snakeviz)"
    )
    args = p.parse_args()
    bodies, post = inprocess.intake_poster(args.db, bodies=2 * args.n + 200, tag="inproc", broker=args.broker)
    for body in bodies[:200]:
        post(body)
    pg0, cpu0, wall0 = benchenv.pg_cpu(), time.process_time(), time.perf_counter()
    for body in bodies[200 : 200 + args.n]:
        post(body)
    cpu, wall, pg = time.process_time() - cpu0, time.perf_counter() - wall0, benchenv.pg_cpu() - pg0
    log(
        f"{args.n} appeals: {1000 * cpu / args.n:.2f} ms CPU in this process, {1000 * pg / args.n:.2f} ms of "
        f"PostgreSQL, {1000 * wall / args.n:.2f} ms wall per appeal"
    )
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for body in bodies[200 + args.n :]:
        post(body)
    profile.disable()
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort).print_stats(*([args.only] if args.only else []), args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
