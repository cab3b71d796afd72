"""Server time of the list pages with 1,000 and with 100,000 appeals in PostgreSQL, in one command.

    .venv/bin/python bench/pages/run.py --appeals 100000 --baseline 1000 --requests 30

1. recreates the database `shequ_pages_bench` (its own: other benches keep theirs), migrates it, loads the
   Shenzhen pack and the small demo seed (cast, units, rules, synthetic facilities around the cast's streets);
2. grows the appeal history to --baseline appeals by COPY (bench/lib/grow.py: synthetic, a year of history) and
   gives 2% of them to the resident 张伟 as requester (a resident "with many appeals": 20 at the baseline, 2,000
   at 100,000), rebuilds the KPI rollups with the project's command (the dashboard reads them), ANALYZE;
3. measures every page with Django's test Client in this process (base settings, DEBUG off, PostgreSQL, a
   persistent connection): 3 warm-up requests, then --requests timed ones; median and p95 of the wall time of
   `client.get` (the whole server side: middleware, views, templates; no network), and the number of SQL queries
   of one more request;
4. grows to --appeals (same 2% to 张伟), rebuilds the rollups, ANALYZE, measures again;
5. writes bench/pages/results/<time>.json and .md with both rounds and the ratio big/baseline per page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_WORK", "/tmp/shequ-pages-bench")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR, log

RESULTS = BENCH_DIR / "pages" / "results"
GOAL_MS = 200.0

# (name, user, path, params). Users are the fixed cast (DESIGN.md §8).
PAGES = [
    ("console: dispatcher queue 待派遣", "sunli", "/console/appeals/", {"queue": "to_dispatch"}),
    ("console: dispatcher all, page 1", "sunli", "/console/appeals/", {"queue": ""}),
    ("console: dispatcher all, page 50", "sunli", "/console/appeals/", {"queue": "", "page": "50"}),
    ("console: overdue queue (city)", "sunli", "/console/appeals/", {"queue": "overdue"}),
    ("console: worker in-progress queue (street)", "lina", "/console/appeals/", {"queue": "in_progress"}),
    ("console: search status+area+category", "sunli", "/console/appeals/",
     {"queue": "", "status": "closed", "area": "440304", "category": "city_management"}),
    ("console: search text", "sunli", "/console/appeals/", {"queue": "", "q": "路灯"}),
    ("console: search text + district", "chenjing", "/console/appeals/", {"queue": "", "q": "噪音", "area": "440305"}),
    ("portal: my appeals", "zhangwei", "/me/appeals/", {}),
    ("portal: my appeals, page 20", "zhangwei", "/me/appeals/", {"page": "20"}),
    ("dashboard (city admin)", "chenjing", "/dashboard/", {}),
    ("portal: services near me", None, "/services/", {"lat": "22.557953", "lng": "114.074874", "radius": "1200"}),
    ("portal: services of a street", None, "/services/", {"street": "440304009"}),
    ("portal: notices", "zhangwei", "/notices/", {}),
]  # fmt: skip


def setup_django(db: str) -> dict[str, str]:
    env = benchenv.django_env(db, conn_max_age=600)
    env["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ.update(env)
    for k in ("CELERY_BROKER_URL", "REDIS_URL"):
        os.environ.pop(k, None)
    import django

    django.setup()
    return env


def give_to_resident(fraction: float) -> int:
    """Make 张伟 the requester of `fraction` of the appeals that have no requester yet (deterministic)."""
    from django.db import connection
    from shequ.accounts.models import User

    uid = User.objects.get(username="zhangwei").pk
    modulo = round(1 / fraction)
    with connection.cursor() as c:
        c.execute(
            "UPDATE appeals_appeal SET requester_id = %s WHERE requester_id IS NULL AND synthetic AND id %% %s = 0",
            [uid, modulo],
        )
        n = c.rowcount
        c.execute("ANALYZE appeals_appeal")
    return n


def rollups(env: dict) -> float:
    t0 = time.perf_counter()
    r = benchenv.manage(env, "rebuild_appeal_kpis", check=False)
    if r.returncode:
        log(f"rebuild_appeal_kpis failed: {r.stderr.strip()[-400:]}")
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")
    return round(time.perf_counter() - t0, 1)


def measure(requests: int) -> list[dict]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from shequ.access.testing import sign_in
    from shequ.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in={p[1] for p in PAGES if p[1]})}
    clients: dict[str | None, Client] = {None: Client()}
    for name, user in users.items():
        clients[name] = sign_in(Client(), user)
    out = []
    for name, who, path, params in PAGES:
        client = clients[who]
        for _ in range(3):
            r = client.get(path, params)
            if r.status_code != 200:
                raise SystemExit(f"{name}: {path} {params} answered {r.status_code}")
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            client.get(path, params)
            times.append((time.perf_counter() - t0) * 1000)
        with CaptureQueriesContext(connection) as q:
            client.get(path, params)
        # captured_queries reads connection.queries lazily: copy before anything clears the log.
        queries = list(q.captured_queries)
        reset_queries()
        times.sort()
        row = {
            "page": name,
            "path": path,
            "params": params,
            "user": who or "anonymous",
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
            "max_ms": round(times[-1], 1),
            "queries": len(queries),
            "slowest_query_sql": max(queries, key=lambda x: float(x["time"]))["sql"][:600] if queries else "",
            "slowest_query_ms": round(max(float(x["time"]) for x in queries) * 1000, 1) if queries else 0,
        }
        log(f"{name}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms, {row['queries']} queries")
        out.append(row)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--appeals", type=int, default=100_000)
    p.add_argument("--baseline", type=int, default=1_000)
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--db", default="shequ_pages_bench")
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args()

    started = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    report: dict = {"command": " ".join(["bench/pages/run.py", *sys.argv[1:]]), "started": started}
    report["machine"] = benchenv.machine()
    report["uptime_before"] = benchenv.uptime()
    env = benchenv.django_env(args.db, conn_max_age=600)
    log(f"recreate database {args.db}")
    benchenv.recreate_database(args.db)
    benchenv.manage(env, "migrate", "--noinput", "-v", "0")
    benchenv.manage(env, "load_city_pack", "shenzhen")
    seeded = benchenv.manage(env, "seed_demo", "--scale", "small", "--seed", "1", check=False)
    log(seeded.stdout.strip()[-300:] or seeded.stderr.strip()[-600:])
    env = setup_django(args.db)
    from bench.lib import grow

    rounds = []
    for target in (args.baseline, args.appeals):
        log(f"grow to {target} appeals")
        g = grow.grow_appeals(target, seed=args.seed)
        g["given_to_zhangwei"] = give_to_resident(0.02)
        g["rollups_seconds"] = rollups(env)
        from shequ.appeals.models import Appeal

        g["appeals"] = Appeal.objects.count()
        g["zhangwei_appeals"] = Appeal.objects.filter(requester__username="zhangwei").count()
        log(
            f"measure with {g['appeals']} appeals ({g['zhangwei_appeals']} of 张伟), load {benchenv.loadavg()}"
        )
        rounds.append({"grow": g, "load_before": benchenv.loadavg(), "pages": measure(args.requests),
                       "load_after": benchenv.loadavg()})  # fmt: skip
    report["rounds"] = rounds
    report["uptime_after"] = benchenv.uptime()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{started}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    base, big = rounds
    lines = [
        f"# Pages bench {started}",
        "",
        f"`{report['command']}`; {report['machine']['nproc']} cores, {report['machine']['postgresql']}; "
        f"uptime before: {report['uptime_before']}; after: {report['uptime_after']}",
        "",
        f"| page | {base['grow']['appeals']:,}: median / p95 ms (queries) | {big['grow']['appeals']:,}: median / p95 ms "
        "(queries) | ratio of medians | goal < 200 ms (p95) |",
        "|---|---|---|---|---|",
    ]
    for a, b in zip(base["pages"], big["pages"], strict=True):
        ratio = b["median_ms"] / a["median_ms"] if a["median_ms"] else 0
        ok = "yes" if b["p95_ms"] < GOAL_MS else "**no**"
        lines.append(
            f"| {a['page']} | {a['median_ms']} / {a['p95_ms']} ({a['queries']}) | {b['median_ms']} / {b['p95_ms']} "
            f"({b['queries']}) | {ratio:.2f}× | {ok} |"
        )
    (RESULTS / f"{started}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
