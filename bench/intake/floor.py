"""The framework's floor for HTTP intake on this machine: how fast Django + gunicorn + PostgreSQL answer trivial
intake endpoints, next to the real POST /api/v1/appeals, in the same run and under the same conditions.

    .venv/bin/python bench/intake/floor.py --requests 5000 --concurrency 32

What it does (bench/README.md has the details):
 1. recreates the database `shequ_floor` (migrate, Shenzhen pack, small demo seed only when the real intake is
    measured) and creates the table `bench_floor` (bigserial id, text, created_at) with raw SQL;
 2. starts gunicorn exactly as run.py does by default (benchenv.start_gunicorn: workers, worker class,
    DB_CONN_MAX_AGE, settings config.settings.base, DEBUG off, no broker) but serving bench/intake/floor_app.py,
    which is config.wsgi with ROOT_URLCONF = bench/intake/floor_urls.py: POST /floor/empty (parse and validate
    the body, no database), /floor/insert (one INSERT in a transaction), /floor/insert5 (five), and the project's
    own URLs, so POST /api/v1/appeals is the real intake; the project's full middleware runs for all of them;
 3. warms every endpoint up, then runs --rounds rounds of closed-loop phases (--concurrency clients, --requests
    each) over the endpoints in turn (empty, insert, insert5, appeals, empty, …) with the same load generator,
    the same bodies (bench/lib/payloads.py) and the same headers (CSRF cookie + X-CSRFToken) as run.py; with
    --rate, an open loop at that rate after each closed phase (the goal's test: 300/s with p99 < 150 ms);
 4. records, per phase, the CPU the whole machine, the gunicorn processes and the PostgreSQL backends of the
    database used, and writes bench/intake/results/<time>-floor.json and .md (the tables), and prints them.

Every server it starts is stopped at the end, by its process group id, also when a phase fails.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.intake import run as intake
from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR, WORK, log

RESULTS = BENCH_DIR / "intake" / "results"
APP = "bench.intake.floor_app"
ENDPOINTS = {
    "empty": "/floor/empty",
    "insert": "/floor/insert",
    "insert5": "/floor/insert5",
    "appeals": "/api/v1/appeals",
}
REAL = "appeals"
GOAL_RATE, GOAL_P99_MS = 300.0, 150.0  # the goal for intake
CREATE_TABLE = (
    "CREATE TABLE bench_floor (id bigserial PRIMARY KEY, text text NOT NULL, created_at timestamptz NOT NULL)"
)


def run_defaults() -> argparse.Namespace:
    """run.py's own defaults (workers, worker class, threads, DB_CONN_MAX_AGE, time caps), read from its parser, so
    that the floor runs the server exactly as the intake bench does unless told otherwise."""
    argv = sys.argv
    sys.argv = [str(BENCH_DIR / "intake" / "run.py")]
    try:
        return intake.parse()
    finally:
        sys.argv = argv


class _Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The docstring as written, and every option's default (run.py's, where they come from there)."""


def parse() -> argparse.Namespace:
    d = run_defaults()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=_Help)
    p.add_argument("--requests", type=int, default=d.requests, help="requests per measured phase")
    p.add_argument("--concurrency", type=int, default=d.concurrency, help="closed-loop clients")
    p.add_argument("--rounds", type=int, default=2, help="times every endpoint is measured, interleaved")
    p.add_argument(
        "--warmup", type=int, default=300, help="requests per endpoint before the rounds (8 clients)"
    )
    p.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        help=f"comma-separated, in the order of a round, from {', '.join(ENDPOINTS)}; without {REAL} the "
        "database is not migrated or seeded",
    )
    p.add_argument(
        "--rate", type=float, default=0.0, help=f"also an open loop at this rate (goal: {GOAL_RATE:g})"
    )
    p.add_argument(
        "--open-concurrency", type=int, default=d.open_concurrency, help="most in flight, open loop"
    )
    p.add_argument("--workers", type=int, default=d.workers)
    p.add_argument("--worker-class", default=d.worker_class, choices=["sync", "gthread"])
    p.add_argument("--threads", type=int, default=d.threads, help="threads per gthread worker")
    p.add_argument("--conn-max-age", type=int, default=d.conn_max_age, help="DB_CONN_MAX_AGE of the server")
    p.add_argument("--db", default="shequ_floor")
    p.add_argument("--phase-max-seconds", type=float, default=d.phase_max_seconds, help="time cap, closed")
    p.add_argument("--open-max-seconds", type=float, default=d.open_max_seconds, help="time cap, open loop")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--tag", default="", help="a word added to the result file name")
    p.add_argument(
        "--broker",
        default="",
        help="CELERY_BROKER_URL of the server, as run.py's --broker (the ~72 appeals/s of RESULTS.md were measured "
        "with it): the after-intake work is left for a worker instead of run in the request (queued in the "
        "database; code older than the IntakeQueue published it as a task); published tasks are dropped at "
        "the end, so use a Redis database no other bench uses at the same time",
    )
    a = p.parse_args()
    names = [n.strip() for n in a.endpoints.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENDPOINTS]
    if unknown or not names or len(set(names)) != len(names):
        p.error(f"--endpoints: one or more of {', '.join(ENDPOINTS)}, each once (got {a.endpoints!r})")
    a.endpoints = names
    return a


def start_gunicorn(env: dict, args: argparse.Namespace, started: list[benchenv.Server]) -> benchenv.Server:
    """benchenv.start_gunicorn with run.py's flags and environment, serving floor_app instead of config.wsgi; every
    server started is added to `started`, for the caller to stop."""
    srv = benchenv.start_gunicorn(
        env,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        port=benchenv.free_port(),
        name="gunicorn-floor",
        app=APP,
    )
    started.append(srv)
    return srv


def pg_backend_cpu(db: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to db (the server's connections)."""
    rows = benchenv.pg_query("postgres", "SELECT pid FROM pg_stat_activity WHERE datname = %s", [db])
    return {pid: cpu for (pid,) in rows if (cpu := benchenv.proc_cpu(pid)) is not None}


def measure(
    label: str,
    endpoint: str,
    srv: intake.Managed,
    payload_file: Path,
    args: argparse.Namespace,
    headers: dict,
    *,
    rate: float,
    conc: int,
    cap: float,
) -> dict:
    """One phase through run.py's phase() (load, latency, machine and server CPU), plus the CPU of the database's
    backends and the server's CPU per answered request; then wait until the server is idle (or restart it)."""
    pg0 = pg_backend_cpu(args.db)
    r = intake.phase(
        label, srv.url(ENDPOINTS[endpoint]), payload_file, args, rate=rate, conc=conc, cap=cap, expect=201,
        headers=headers, server=srv,
    )  # fmt: skip
    pg1 = pg_backend_cpu(args.db)
    secs = max(r["seconds"], 0.01)
    r["pg_cpu"] = round(sum(max(0.0, cpu - pg0.get(pid, 0.0)) for pid, cpu in pg1.items()) / secs, 2)
    r["server_cpu_ms_per_ok"] = round(r["server_cpu"] * secs * 1000 / r["ok"], 2) if r["ok"] else None
    r["endpoint"], r["path"] = endpoint, ENDPOINTS[endpoint]
    log(
        f"  {'':>14}  PostgreSQL backends cpu {r['pg_cpu']}  server CPU per request {r['server_cpu_ms_per_ok']} ms"
    )
    srv.settle()
    return r


def main() -> int:
    args = parse()
    started_at = time.time()
    real = REAL in args.endpoints
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = benchenv.new_report("bench/intake/floor.py", args, warmup={}, phases=[])
    env = benchenv.server_env(
        args.db,
        conn_max_age=args.conn_max_age,
        broker=args.broker,
        notes=report["notes"],
        load_packages=["aiohttp"],
    )
    log(f"recreate database {args.db}")
    benchenv.recreate_database(args.db)
    t = time.perf_counter()
    if real:
        benchenv.seed_project_database(env, report["notes"])
    benchenv.pg_query(args.db, CREATE_TABLE)
    report["setup_seconds"] = round(time.perf_counter() - t, 1)

    benchenv.setup_django_here(args.db, conn_max_age=0)
    from bench.lib import payloads
    from django.conf import settings

    report["server"] = {
        "app": APP,
        "root_urlconf": "bench.intake.floor_urls",
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "middleware": list(settings.MIDDLEWARE),
        "conn_health_checks": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS", False),
        "tasks": f"published to {args.broker}" if args.broker else "eager (run in the request)",
    }
    if real:
        from shequ.appeals.models import ResponsibilityRule

        report["responsibility_rules"] = ResponsibilityRule.objects.count()

    def write_payloads(path: Path, seed: int) -> Path:
        if real:
            payloads.write_payloads(path, n=args.requests, seed=seed)
        else:
            # No pack loaded, so no areas to draw from; the /floor/* endpoints read only `text`.
            with mock.patch.object(payloads, "area_data", return_value=(["-"], [])):
                payloads.write_payloads(path, n=args.requests, seed=seed)
        return path

    # The same headers as run.py sends to the real intake (what the resident portal's browser sends), everywhere.
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"csrftoken={csrf}", "X-CSRFToken": csrf}

    servers: list[benchenv.Server] = []
    failed = False
    try:
        srv = intake.Managed("gunicorn-floor", lambda: start_gunicorn(env, args, servers))
        report["server"]["command"] = " ".join(str(c) for c in srv.srv.proc.args)

        if args.warmup:
            # Every worker imports, connects and loads what it caches, on every endpoint; not counted.
            warm = write_payloads(WORK / "floor-warmup.jsonl", args.seed * 100)
            for name in args.endpoints:
                w = benchenv.run_load(
                    srv.url(ENDPOINTS[name]),
                    warm,
                    n=args.warmup,
                    concurrency=8,
                    headers=headers,
                    max_seconds=60,
                )
                report["warmup"][name] = {
                    k: w[k] for k in ("ok", "sent", "throughput", "statuses", "error_samples", "seconds")
                }
                log(f"  warm-up {name:>8}: {w['ok']}/{w['sent']} ok, {w['throughput']}/s {w['statuses']}")
                if not w["ok"]:
                    raise RuntimeError(
                        f"warm-up of {ENDPOINTS[name]}: no 201 ({w['statuses']} {w['error_samples']})"
                    )
            srv.settle()

        for rnd in range(1, args.rounds + 1):
            log(f"round {rnd}/{args.rounds}: {', '.join(args.endpoints)}")
            closed = write_payloads(WORK / f"floor-r{rnd}c.jsonl", args.seed * 1000 + 500 + 2 * rnd)
            opened = (
                write_payloads(WORK / f"floor-r{rnd}o.jsonl", args.seed * 1000 + 501 + 2 * rnd)
                if args.rate
                else None
            )
            for name in args.endpoints:
                r = measure(
                    f"{name} closed", name, srv, closed, args, headers, rate=0.0, conc=args.concurrency,
                    cap=args.phase_max_seconds,
                )  # fmt: skip
                r["round"] = rnd
                report["phases"].append(r)
                if opened:
                    r = measure(
                        f"{name} {args.rate:g}/s", name, srv, opened, args, headers, rate=args.rate,
                        conc=args.open_concurrency, cap=args.open_max_seconds,
                    )  # fmt: skip
                    r["round"] = rnd
                    report["phases"].append(r)
    except Exception as exc:
        failed = True
        report["notes"].append(f"ABORTED: {type(exc).__name__}: {exc}")
        log(f"ABORTED: {type(exc).__name__}: {exc}")
    finally:
        for s in servers:
            if s.proc.poll() is None:
                s.stop()
        if args.broker:
            intake._purge(args.broker, report)
    try:
        report["bench_floor_rows"] = benchenv.pg_query(args.db, "SELECT count(*) FROM bench_floor")[0][0]
    except Exception as exc:
        report["notes"].append(f"bench_floor not counted: {exc}")
    report["summary"] = summarize(report["phases"], args.endpoints)
    report["uptime_after"] = benchenv.uptime()
    report["seconds"] = round(time.time() - started_at)
    log(report["uptime_after"])
    name = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime()) + "-floor" + (f"-{args.tag}" if args.tag else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    md = render(report)
    (RESULTS / f"{name}.md").write_text(md)
    print(md)
    log(f"wrote {RESULTS / name}.json and .md in {report['seconds']}s")
    return 1 if failed else 0


def summarize(phases: list[dict], endpoints: list[str]) -> dict:
    """Per mode (closed, open) and endpoint: totals, the mean of the rounds, and the ratios to the real intake."""
    out: dict = {}
    for mode in ("closed", "open"):
        rows: dict = {}
        for name in endpoints:
            xs = [p for p in phases if p["endpoint"] == name and p["mode"] == mode]
            if not xs:
                continue

            def mean(key: str, xs: list[dict] = xs) -> float | None:
                vals = [x[key] for x in xs if x.get(key) is not None]
                return round(statistics.fmean(vals), 2) if vals else None

            row = {
                "rounds": len(xs),
                "ok": sum(x["ok"] for x in xs),
                "requested": sum(x["requested"] for x in xs),
                "errors": sum(x["errors"] for x in xs),
                "timed_out": any(x["timed_out"] for x in xs),
                "throughput_min": min(x["throughput"] for x in xs),
                "throughput_max": max(x["throughput"] for x in xs),
                **{k: mean(k) for k in ("throughput", "p50_ms", "p95_ms", "p99_ms", "max_ms")},
                **{k: mean(k) for k in ("machine_cpu", "server_cpu", "pg_cpu", "server_cpu_ms_per_ok")},
            }
            if mode == "closed":
                row["capacity_for_goal"] = bool(row["throughput"] and row["throughput"] >= GOAL_RATE)
            else:
                # The goal's test is an open loop at (at least) the goal's rate; at a lower rate it is not tested.
                row["meets_goal"] = (
                    row["ok"] == row["requested"] and max(x["p99_ms"] for x in xs) < GOAL_P99_MS
                    if xs[0]["rate"] >= GOAL_RATE
                    else None
                )
            rows[name] = row
        base = rows.get(REAL)
        for row in rows.values():
            for k in ("throughput", "p50_ms", "p95_ms", "p99_ms"):
                row[f"{k}_vs_{REAL}"] = (
                    round(row[k] / base[k], 2) if base and base[k] and row[k] is not None else None
                )
        if rows:
            out[mode] = rows
    return out


def _x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}×"


def render(r: dict) -> str:
    a, s = r["args"], r.get("server", {})
    lines = [
        f"`{r['command']}`",
        "",
        f"gunicorn `{s.get('app')}` (config.wsgi with ROOT_URLCONF `{s.get('root_urlconf')}`: the /floor/* "
        f"endpoints, then config.urls): {a['workers']} "
        f"{a['worker_class']} workers"
        + (f" × {a['threads']} threads" if a["worker_class"] == "gthread" else "")
        + f", settings {s.get('settings')}, DEBUG off, DB_CONN_MAX_AGE={a['conn_max_age']}, "
        f"CONN_HEALTH_CHECKS={s.get('conn_health_checks')}; tasks {s.get('tasks')}; database `{a['db']}`"
        + (f", responsibility rules {r['responsibility_rules']}" if "responsibility_rules" in r else ""),
        "",
        "Middleware, the project's full stack, for every endpoint (part of the floor): "
        + ", ".join(f"`{m.rsplit('.', 1)[-1]}`" for m in s.get("middleware", [])),
        "",
        "Endpoints: `empty` = parse + validate the body, no database; `insert` = the same + 1 INSERT in a "
        "transaction; `insert5` = 5 INSERTs; `appeals` = the real `POST /api/v1/appeals`. Same bodies "
        "(bench/lib/payloads.py) and headers (CSRF cookie + X-CSRFToken) for all.",
        "",
        f"uptime before: `{r['uptime_before']}`  ",
        f"uptime after: `{r.get('uptime_after')}`",
        "",
        "CPU columns are CPU-seconds per second of the phase (the machine has "
        f"{r['machine'].get('nproc')}): gunicorn = master + workers, PG = the backends of `{a['db']}`; "
        "machine − gunicorn − PG is the load generator, PostgreSQL's own background processes and everyone "
        "else's work.",
        "",
    ]
    for mode, rows in r.get("summary", {}).items():
        first = next(iter(rows.values()))
        if mode == "closed":
            title = f"**Closed loop, {a['concurrency']} clients, mean of {first['rounds']} round(s)**"
            goal_head, goal_key = f"≥ {GOAL_RATE:g}/s", "capacity_for_goal"
        else:
            title = (
                f"**Open loop at {a['rate']:g}/s (latency from when each request was due), mean of rounds**"
            )
            goal_head, goal_key = f"{GOAL_RATE:g}/s with p99 < {GOAL_P99_MS:g} ms", "meets_goal"
        lines += [
            title,
            "",
            f"| endpoint | completed / asked | req/s (min–max) | p50 ms | p95 ms | p99 ms | req/s vs {REAL} "
            f"| p50 vs {REAL} | p95 vs {REAL} | p99 vs {REAL} | gunicorn CPU ms / req | machine CPU | gunicorn CPU "
            f"| PG CPU | {goal_head} |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, x in rows.items():
            done = f"{x['ok']} / {x['requested']}" + (" (time cap)" if x["timed_out"] else "")
            lines.append(
                f"| {name} | {done} | {x['throughput']} ({x['throughput_min']}–{x['throughput_max']}) "
                f"| {x['p50_ms']} | {x['p95_ms']} | {x['p99_ms']} | {_x(x['throughput_vs_' + REAL])} "
                f"| {_x(x['p50_ms_vs_' + REAL])} | {_x(x['p95_ms_vs_' + REAL])} | {_x(x['p99_ms_vs_' + REAL])} "
                f"| {x['server_cpu_ms_per_ok']} | {x['machine_cpu']} | {x['server_cpu']} | {x['pg_cpu']} "
                f"| {'-' if x[goal_key] is None else 'yes' if x[goal_key] else 'no'} |"
            )
        lines.append("")
    lines += [
        "**Every phase, in the order run**",
        "",
        "| round | endpoint | loop | completed / asked | req/s | p50 ms | p95 ms | p99 ms | max ms | errors "
        "| machine CPU | gunicorn CPU | PG CPU | gunicorn CPU ms / req | load 1-min before → after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in r["phases"]:
        loop = f"closed {x['concurrency']}" if x["mode"] == "closed" else f"open {x['rate']:g}/s"
        done = f"{x['ok']} / {x['requested']}" + (" (time cap)" if x["timed_out"] else "")
        errors = f"{x['errors']} {x['statuses']}" if x["errors"] else "0"
        lines.append(
            f"| {x['round']} | {x['endpoint']} | {loop} | {done} | {x['throughput']} | {x['p50_ms']} "
            f"| {x['p95_ms']} | {x['p99_ms']} | {x['max_ms']} | {errors} | {x['machine_cpu']} | {x['server_cpu']} "
            f"| {x['pg_cpu']} | {x['server_cpu_ms_per_ok']} "
            f"| {x['loadavg_before'].split()[0]} → {x['loadavg_after'].split()[0]} |"
        )
    lines.append("")
    short = [x for x in r["phases"] if x["seconds"] < 3]
    if short:
        lines.append(
            f"note: {len(short)} phase(s) lasted under 3 s: their CPU figures are noise (10 ms clock ticks, "
            "one /proc sample at each end); ask for more --requests  "
        )
    if "bench_floor_rows" in r:
        lines.append(f"rows in bench_floor at the end: {r['bench_floor_rows']}  ")
    for n in r["notes"]:
        lines.append(f"note: {n}  ")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
