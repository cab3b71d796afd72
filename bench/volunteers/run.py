"""Sign-ups on one hot shift over HTTP with many clients: the platform's
POST /api/v1/volunteer-activities/{id}/shifts/{shift_id}/signups against a naive count-then-insert baseline in the
same run, on the same gunicorn and PostgreSQL; over-subscription counted in the data afterwards.

    flock /tmp/shequ-bench.lock .venv/bin/python bench/volunteers/run.py [--clients 200] [--capacity 20] [--rounds 10]

 1. recreates the PostgreSQL database `shequ_bench_volunteers` (or, with --reuse, keeps it), migrates it, loads the
    Shenzhen pack; makes the synthetic residents resident001 … resident200 (shequ.volunteers.demo, the same accounts
    the demo has), registers each as a volunteer through the service, issues each a bearer token
    (shequ.accounts.tokens.token_issue, as `manage.py issue_token` does), makes a team and, per round, two
    activities of one shift each with --capacity places (one for the platform, one for the baseline), and the
    baseline's plain table;
 2. starts gunicorn (bench.volunteers.settings: the platform plus the baseline's URL) on 127.0.0.1, 4 gthread
    workers × 4 threads by default, DB_CONN_MAX_AGE=60, DEBUG off, tasks eager (benchenv.django_env);
 3. warms up (two GET /api/v1/volunteers/me per client, not measured); then, per round, every client — one thread
    each, released together by a barrier — sends one sign-up for the round's hot shift to the platform, and then,
    released together again, one to the baseline's shift;
 4. counts in the database, per shift, the places held against the capacity (the platform: confirmed sign-ups and
    the shift's `taken`; the baseline: its rows), and refuses to call the run good if the platform's is ever over;
 5. writes bench/volunteers/results/<time>.json and .md (the table) and prints it.

The server is stopped at the end by its process group id, also when a phase fails. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR, log

DB = "shequ_bench_volunteers"
RESULTS = BENCH_DIR / "volunteers" / "results"

SETUP = """
import json, random
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from shequ.accounts.models import Grant, User
from shequ.accounts.tokens import token_issue
from shequ.facilities.services import facility_types_ensure
from shequ.volunteers import services
from shequ.volunteers.demo import _register, ensure_synthetic_residents
from shequ.volunteers.models import Team
from bench.volunteers.naive import CREATE
facility_types_ensure()
ensure_synthetic_residents(200)
users = list(User.objects.filter(username__in=[f"resident{i:03d}" for i in range(1, CLIENTS + 1)]).order_by("username"))
rng = random.Random(1)
for i, user in enumerate(users):
    area = Grant.objects.filter(user=user, role="resident").select_related("area").first().area
    _register(user, rng=rng, area=area, region="440304", n=i)
community = Grant.objects.filter(user=users[0], role="resident").select_related("area").first().area
team = Team.objects.filter(name="压测志愿服务队").first() or services.team_create(actor=None, name="压测志愿服务队", area=community)
start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
shifts = []
for r in range(ROUNDS):
    pair = []
    for side in ("platform", "naive"):
        at = start + timedelta(hours=3 * (2 * r + len(pair)))
        a = services.activity_create(
            actor=None, team=team, title=f"压测热门班次 {side} {r + 1}",
            shifts=[services.ShiftData(place="华富社区广场", starts_at=at, ends_at=at + timedelta(hours=2), capacity=CAPACITY)],
        )
        pair.append([a.pk, a.shifts.get().pk])
    shifts.append(pair)
tokens = [token_issue(user=u, name="bench", days=1)[1] for u in users]
with connection.cursor() as c:
    c.execute(CREATE)
print(json.dumps({"tokens": tokens, "shifts": shifts, "usernames": [u.username for u in users]}))
"""

HELD = {
    "platform": "SELECT s.id, s.capacity, s.taken, (SELECT count(*) FROM volunteers_signup g WHERE g.shift_id = s.id "
    "AND g.status = 'confirmed') FROM volunteers_shift s WHERE s.id = ANY(%s)",
    "naive": "SELECT s.id, s.capacity, NULL, (SELECT count(*) FROM bench_naive_signup g WHERE g.shift_id = s.id) "
    "FROM volunteers_shift s WHERE s.id = ANY(%s)",
}


def attempt(port: int, path: str, token: str, method: str = "POST") -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t = time.perf_counter()
    try:
        conn.request(
            method,
            path,
            "{}" if method == "POST" else None,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Host": "127.0.0.1"},
        )
        r = conn.getresponse()
        r.read()
        return r.status, time.perf_counter() - t
    except OSError:
        return -1, time.perf_counter() - t
    finally:
        conn.close()


def warm_up(port: int, tokens: list[str]) -> None:
    """Every worker imports lazily and opens its database connection on its first requests: not measured."""

    def get(token: str) -> None:
        for _ in range(2):
            attempt(port, "/api/v1/volunteers/me", token, method="GET")

    threads = [threading.Thread(target=get, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def phase(port: int, path: str, tokens: list[str]) -> dict:
    """Every client sends one sign-up to `path`, all released together."""
    barrier = threading.Barrier(len(tokens))
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def client(token: str) -> None:
        barrier.wait()
        status, seconds = attempt(port, path, token)
        with lock:
            statuses[status] += 1
            latencies.append(seconds)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
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
        "per_s": len(tokens) / wall,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=200, help="resident001 … residentN, at most 200")
    ap.add_argument("--capacity", type=int, default=20, help="places on each hot shift")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument(
        "--reuse", action="store_true", help="keep the database if it exists (new shifts each run)"
    )
    args = ap.parse_args()
    if not 2 <= args.clients <= 200:
        ap.error("--clients is 2 to 200 (resident001 … resident200)")

    load_before = benchenv.uptime()
    env = benchenv.django_env(DB, conn_max_age=60)
    env["DJANGO_SETTINGS_MODULE"] = "bench.volunteers.settings"
    if not (args.reuse and benchenv.database_exists(DB)):
        benchenv.recreate_database(DB)
        benchenv.manage(env, "migrate", "--noinput", "-v", "0")
        log(benchenv.manage(env, "load_city_pack", "shenzhen").stdout.strip())
    benchenv.pg_query(DB, "DROP TABLE IF EXISTS bench_naive_signup")
    benchenv.pg_query(DB, "DELETE FROM accounts_apitoken")
    script = (
        SETUP.replace("CLIENTS", str(args.clients))
        .replace("ROUNDS", str(args.rounds))
        .replace("CAPACITY", str(args.capacity))
    )
    t_setup = time.perf_counter()
    out = benchenv.manage(env, "shell", "-c", script)
    made = json.loads(out.stdout.strip().splitlines()[-1])
    log(f"setup {time.perf_counter() - t_setup:.0f} s: {len(made['tokens'])} volunteers with tokens")
    tokens, shifts = made["tokens"], made["shifts"]

    port = benchenv.free_port()
    server = benchenv.start_gunicorn(
        env, workers=args.workers, worker_class="gthread", threads=args.threads, port=port
    )
    rounds = []
    try:
        warm_up(port, tokens)
        for r, ((p_activity, p_shift), (_n_activity, n_shift)) in enumerate(shifts):
            ours = phase(port, f"/api/v1/volunteer-activities/{p_activity}/shifts/{p_shift}/signups", tokens)
            naive = phase(port, f"/bench/naive-signup/{n_shift}", tokens)
            log(f"round {r + 1}: platform {ours['statuses']} · naive {naive['statuses']}")
            rounds.append({"platform": ours, "naive": naive})
    finally:
        server.stop()
    load_after = benchenv.uptime()

    totals = {}
    for i, side in enumerate(("platform", "naive")):
        ids = [pair[i][1] for pair in shifts]
        held = benchenv.pg_query(DB, HELD[side], [ids])
        statuses: Counter[int] = Counter()
        for rnd in rounds:
            statuses.update({int(k): v for k, v in rnd[side]["statuses"].items()})
        totals[side] = {
            "attempts": sum(statuses.values()),
            "statuses": dict(sorted(statuses.items())),
            "places": sum(cap for _id, cap, _taken, _n in held),
            "held": sum(n for _id, _cap, _taken, n in held),
            "over_subscribed_shifts": sum(1 for _id, cap, _taken, n in held if n > cap),
            "places_over": sum(max(0, n - cap) for _id, cap, _taken, n in held),
            "taken_disagrees": sum(1 for _id, _cap, taken, n in held if taken is not None and taken != n),
            "wall_s": round(sum(rnd[side]["wall_s"] for rnd in rounds), 2),
            "per_s_median_of_rounds": round(median([rnd[side]["per_s"] for rnd in rounds]), 1),
            "p50_ms_median_of_rounds": round(median([rnd[side]["p50_ms"] for rnd in rounds]), 1),
            "p99_ms_max_of_rounds": round(max(rnd[side]["p99_ms"] for rnd in rounds), 1),
        }
    p, n = totals["platform"], totals["naive"]
    ratios = {
        "throughput_platform_over_naive": round(p["per_s_median_of_rounds"] / n["per_s_median_of_rounds"], 2),
        "p50_platform_over_naive": round(p["p50_ms_median_of_rounds"] / n["p50_ms_median_of_rounds"], 2),
    }
    report = {
        "script": "bench/volunteers/run.py",
        "command": "flock /tmp/shequ-bench.lock .venv/bin/python bench/volunteers/run.py "
        + " ".join(sys.argv[1:]),
        "args": vars(args),
        "when": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "machine": benchenv.machine(),
        "load_before": load_before,
        "load_after": load_after,
        "totals": totals,
        "ratios": ratios,
        "rounds": rounds,
    }
    m = report["machine"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    lines = [
        f"# volunteer sign-ups on a hot shift, {report['when']} (git {report['git']})",
        "",
        f"`{report['command']}`",
        "",
        f"{args.clients} clients (resident001 …) × 1 sign-up each × {args.rounds} rounds, a fresh shift of "
        f"{args.capacity} places per round and side; gunicorn {args.workers} gthread workers × {args.threads} "
        f"threads; {m['postgresql']}. Machine: {m['cpu']}, {m['nproc']} cores, {m['memory']} (shared). "
        f"Load before: `{load_before}`. After: `{load_after}`.",
        "",
        "| endpoint | attempts | answers | places | held | over-subscribed shifts | places over | "
        "sign-ups/s (median round) | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for side, name in (("platform", "POST …/shifts/{id}/signups"), ("naive", "naive count-then-insert")):
        t = totals[side]
        answers = ", ".join(f"{k}: {v}" for k, v in t["statuses"].items())
        lines.append(
            f"| {name} | {t['attempts']} | {answers} | {t['places']} | {t['held']} | "
            f"{t['over_subscribed_shifts']} | {t['places_over']} | {t['per_s_median_of_rounds']} | "
            f"{t['p50_ms_median_of_rounds']} | {t['p99_ms_max_of_rounds']} |"
        )
    lines += [
        "",
        f"Ratios (platform / naive): throughput {ratios['throughput_platform_over_naive']}, "
        f"p50 latency {ratios['p50_platform_over_naive']}. The platform's `taken` disagreed with its confirmed "
        f"sign-ups on {p['taken_disagrees']} shifts.",
    ]
    (RESULTS / f"{stamp}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if p["over_subscribed_shifts"] or p["taken_disagrees"]:
        sys.exit("the platform over-subscribed a shift")


if __name__ == "__main__":
    main()
