"""Booking a few hot slots over HTTP with many clients: the platform (POST /api/v1/bookings) against a naive
check-then-insert baseline in the same run, on the same server and database; double bookings counted in the data.

    flock /tmp/shequ-bench.lock .venv/bin/python bench/venues/run.py [--clients 64] [--rounds 10] [--hot 4]

 1. recreates the PostgreSQL database `shequ_bench_venues`, migrates it, loads the Shenzhen pack; makes one venue
    (open round the clock, hourly slots, anyone in the city may book, no quotas), --clients residents with bearer
    tokens, and the baseline's plain table;
 2. starts gunicorn (bench.venues.settings: the platform plus the baseline's URL) on 127.0.0.1;
 3. after a warm-up (three availability reads per client, not measured), for each of --rounds rounds, --hot hot slots on a fresh day: every client, released together, tries every hot
    slot in its own random order, first on the platform's endpoint, then (another day's slots, the same clients)
    on the baseline's; answers counted by status;
 4. counts, in the database, the pairs of holding bookings of one venue that overlap (double bookings), for both;
 5. writes bench/venues/results/<time>.json and .md, and prints the table.

The server is stopped at the end by its process group id.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR, log

DB = "shequ_bench_venues"
RESULTS = BENCH_DIR / "venues" / "results"
TZ = ZoneInfo("Asia/Shanghai")

SETUP = """
import json
from django.db import connection
from shequ.accounts.models import User
from shequ.accounts.tokens import token_issue
from shequ.facilities.services import facility_types_ensure
from shequ.venues.choices import WhoMayBook
from shequ.venues.tests.helpers import make_venue
from bench.venues.naive import CREATE
facility_types_ensure()
always = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
venue = make_venue("压测羽毛球场", who_may_book=WhoMayBook.CITY, hours=always, max_notice_days=60, min_notice_minutes=0)
tokens = []
for i in range(N):
    user, _ = User.objects.get_or_create(username=f"bench_booker{i:03d}")
    tokens.append(token_issue(user=user, name="bench", days=1)[1])
with connection.cursor() as c:
    c.execute(CREATE[connection.vendor])
print(json.dumps({"venue": venue.pk, "tokens": tokens}))
"""

DOUBLES = {
    "platform": "SELECT count(*) FROM venues_booking a JOIN venues_booking b ON a.venue_id = b.venue_id "
    'AND a.id < b.id AND a.start < b."end" AND b.start < a."end" '
    "WHERE a.status IN ('pending','confirmed','checked_in','offered') "
    "AND b.status IN ('pending','confirmed','checked_in','offered')",
    "naive": "SELECT count(*) FROM bench_naive_booking a JOIN bench_naive_booking b ON a.venue_id = b.venue_id "
    'AND a.id < b.id AND a.start < b."end" AND b.start < a."end"',
}
ROWS = {
    "platform": "SELECT count(*) FROM venues_booking WHERE status IN ('pending','confirmed','checked_in','offered')",
    "naive": "SELECT count(*) FROM bench_naive_booking",
}


def attempt(port: int, path: str, token: str, body: dict) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t = time.perf_counter()
    try:
        conn.request(
            "POST",
            path,
            json.dumps(body),
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Host": "127.0.0.1"},
        )
        r = conn.getresponse()
        r.read()
        return r.status, time.perf_counter() - t
    except OSError:
        return -1, time.perf_counter() - t
    finally:
        conn.close()


def warm_up(port: int, venue: int, tokens: list[str]) -> None:
    """Every worker imports lazily and opens its database connection on its first requests: not measured."""

    def get(token: str) -> None:
        for _ in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            day = (datetime.now(TZ) + timedelta(days=1)).date().isoformat()
            conn.request(
                "GET", f"/api/v1/venues/{venue}/availability?date={day}", headers={"Host": "127.0.0.1"}
            )
            conn.getresponse().read()
            conn.close()

    threads = [threading.Thread(target=get, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def phase(port: int, path: str, venue: int, tokens: list[str], day: datetime, hot: int, seed: int) -> dict:
    """Every client tries every hot slot of `day` (hours 18, 19, …) in its own order, all released together."""
    slots = [day.replace(hour=18 + i) for i in range(hot)]
    barrier = threading.Barrier(len(tokens))
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def client(i: int, token: str) -> None:
        order = slots[:]
        random.Random(seed * 1000 + i).shuffle(order)
        barrier.wait()
        for start in order:
            body = {
                "venue": venue,
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
            }
            status, seconds = attempt(port, path, token, body)
            with lock:
                statuses[status] += 1
                latencies.append(seconds)

    threads = [threading.Thread(target=client, args=(i, t)) for i, t in enumerate(tokens)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {
        "statuses": dict(statuses),
        "wall_s": wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--hot", type=int, default=4, help="hot slots per round")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument(
        "--reuse", action="store_true", help="keep the database if it exists (bookings are cleared)"
    )
    args = ap.parse_args()

    env = benchenv.django_env(DB, conn_max_age=60)
    env["DJANGO_SETTINGS_MODULE"] = "bench.venues.settings"
    if not (args.reuse and benchenv.database_exists(DB)):
        benchenv.recreate_database(DB)
        benchenv.manage(env, "migrate", "--noinput", "-v", "0")
        log(benchenv.manage(env, "load_city_pack", "shenzhen").stdout.strip())
    benchenv.pg_query(DB, "DROP TABLE IF EXISTS bench_naive_booking")
    for table in ("venues_booking", "venues_venue", "accounts_apitoken"):
        benchenv.pg_query(DB, f"DELETE FROM {table}")
    out = benchenv.manage(env, "shell", "-c", SETUP.replace("range(N)", f"range({args.clients})"))
    made = json.loads(out.stdout.strip().splitlines()[-1])
    venue, tokens = made["venue"], made["tokens"]

    port = benchenv.free_port()
    server = benchenv.start_gunicorn(
        env, workers=args.workers, worker_class="gthread", threads=args.threads, port=port
    )
    rounds = []
    try:
        warm_up(port, venue, tokens)
        start_day = datetime.now(TZ).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        for r in range(args.rounds):
            day = start_day + timedelta(days=2 * r)
            ours = phase(port, "/api/v1/bookings", venue, tokens, day, args.hot, seed=r)
            naive = phase(port, "/bench/naive-book", venue, tokens, day + timedelta(days=1), args.hot, seed=r)
            log(f"round {r + 1}: platform {ours['statuses']} · naive {naive['statuses']}")
            rounds.append({"platform": ours, "naive": naive})
    finally:
        server.stop()

    totals = {}
    for side in ("platform", "naive"):
        statuses: Counter[int] = Counter()
        for rnd in rounds:
            statuses.update({int(k): v for k, v in rnd[side]["statuses"].items()})
        totals[side] = {
            "attempts": sum(statuses.values()),
            "statuses": dict(sorted(statuses.items())),
            "rows_holding": benchenv.pg_query(DB, ROWS[side])[0][0],
            "double_bookings": benchenv.pg_query(DB, DOUBLES[side])[0][0],
            "wall_s": round(sum(rnd[side]["wall_s"] for rnd in rounds), 2),
            "p50_ms_median_of_rounds": round(
                sorted(rnd[side]["p50_ms"] for rnd in rounds)[len(rounds) // 2], 1
            ),
            "p99_ms_max_of_rounds": round(max(rnd[side]["p99_ms"] for rnd in rounds), 1),
        }
    slots = args.rounds * args.hot
    report = {
        "script": "bench/venues/run.py",
        "args": vars(args),
        "when": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "machine": f"{platform.node()} {platform.machine()} · load {benchenv.uptime()}",
        "slots": slots,
        "totals": totals,
        "rounds": rounds,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=1))
    lines = [
        f"# venues booking race, {report['when']} (git {report['git']})",
        "",
        f"{args.clients} clients × {args.hot} hot slots × {args.rounds} rounds = {slots} slots, each client trying "
        f"every hot slot once per round; gunicorn {args.workers} gthread workers × {args.threads} threads; PostgreSQL.",
        "",
        "| endpoint | attempts | answers | holding rows | slots | double bookings | wall s | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for side, name in (("platform", "POST /api/v1/bookings"), ("naive", "naive check-then-insert")):
        t = totals[side]
        answers = ", ".join(f"{k}: {v}" for k, v in t["statuses"].items())
        lines.append(
            f"| {name} | {t['attempts']} | {answers} | {t['rows_holding']} | {slots} | {t['double_bookings']} | "
            f"{t['wall_s']} | {t['p50_ms_median_of_rounds']} | {t['p99_ms_max_of_rounds']} |"
        )
    (RESULTS / f"{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
