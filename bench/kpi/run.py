"""KPI endpoint latency with a million appeals in PostgreSQL.

   .venv/bin/python bench/kpi/run.py --appeals 1000000 [--before REV]

1. uses the bench database (`shequ_bench`, as bench/intake/run.py left it; set up from scratch if missing);
2. grows it to --appeals appeals by COPY (bench/lib/grow.py: synthetic, spread over 365 days, areas, units,
   statuses, with the timeline events the KPI replay reads);
3. fills the rollups with the project's own `manage.py rebuild_appeal_kpis` (timed); if the command does not
   exist, says so and stops there (the KPI part is then pending);
4. issues a bearer token for the city admin (`manage.py issue_token chenjing`), starts gunicorn and measures
   GET /api/v1/appeals/kpis?group_by=district|street|unit&from=…&to=… over the last 30 and the last 365 days,
   --requests requests each (at most --max-seconds), one client at a time (a leader opening the dashboard), and
   with --concurrency N a second round with N clients at once;
   with --before REV, a second gunicorn serves that git revision's code (a worktree) on the same database, and
   every measurement is taken from both, in alternating order, so that the ratio is of one command;
5. writes bench/kpi/results/<time>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv
from bench.lib.benchenv import BENCH_DIR, LOAD_VENV, REPO, log

RESULTS = BENCH_DIR / "kpi" / "results"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--appeals", type=int, default=1_000_000)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument(
        "--concurrency", type=int, default=0, help="also a concurrent round with this many clients"
    )
    p.add_argument("--max-seconds", type=float, default=60.0, help="time cap of one measured run")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--db", default="shequ_bench")
    p.add_argument("--group-by", default="district,street,unit")
    p.add_argument("--skip-rebuild", action="store_true", help="the rollups are already filled")
    p.add_argument(
        "--analyze",
        action="store_true",
        help="ANALYZE the rollup table before measuring (the rebuild leaves it without statistics until "
        "autovacuum gets to it)",
    )
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--before", default="", help="also serve this git revision's code and measure it alike")
    args = p.parse_args()
    started = time.time()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = benchenv.new_report("bench/kpi/run.py", args, runs=[])
    ok, err = benchenv.ensure_venv(LOAD_VENV, ["aiohttp"])
    if not ok:
        raise SystemExit(f"load generator venv: {err}")
    env = benchenv.django_env(args.db, conn_max_age=60)
    if not benchenv.database_exists(args.db):
        log(f"database {args.db} missing: set it up as the intake bench does")
        benchenv.recreate_database(args.db)
        benchenv.manage(env, "migrate", "--noinput", "-v", "0")
        benchenv.manage(env, "load_city_pack", "shenzhen")
    else:
        benchenv.manage(env, "migrate", "--noinput", "-v", "0")  # the KPI tables may be newer than the db
    if not benchenv.pg_query(args.db, "SELECT 1 FROM accounts_user WHERE username = 'chenjing'"):
        r = benchenv.manage(env, "seed_demo", "--scale", "small", "--seed", "1", check=False)
        if r.returncode:
            report["notes"].append(f"seed_demo failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}")

    benchenv.setup_django_here(args.db)
    from bench.lib import grow
    from django.utils import timezone
    from shequ.appeals.models import Appeal

    log(f"grow the history to {args.appeals:,} appeals (COPY)")
    report["grow"] = grow.grow_appeals(args.appeals, seed=args.seed)
    log(f"  {report['grow']}")
    report["appeals"] = Appeal.objects.count()
    report["events"] = benchenv.pg_query(args.db, "SELECT count(*) FROM appeals_event")[0][0]

    command = REPO / "shequ" / "appeals" / "management" / "commands" / "rebuild_appeal_kpis.py"
    if not command.exists():
        report["pending"] = "manage.py rebuild_appeal_kpis does not exist yet (being written elsewhere)"
        return finish(report, started)
    if not args.skip_rebuild:
        t = time.perf_counter()
        r = benchenv.manage(env, "rebuild_appeal_kpis", check=False)
        report["rebuild"] = {
            "seconds": round(time.perf_counter() - t, 1),
            "exit": r.returncode,
            "stdout": r.stdout.strip()[-300:],
            "stderr": r.stderr.strip()[-600:],
        }
        log(f"  rebuild_appeal_kpis: {report['rebuild']}")
        if r.returncode:
            report["pending"] = f"rebuild_appeal_kpis failed: {r.stderr.strip().splitlines()[-1:]}"
            return finish(report, started)
    report["kpi_rows"] = benchenv.pg_query(args.db, "SELECT count(*) FROM appeals_kpidaily")[0][0]
    tables = [
        t[0]
        for t in benchenv.pg_query(
            args.db, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'appeals_kpi%%' ORDER BY 1"
        )
    ]
    report["rollup_rows"] = {t: benchenv.pg_query(args.db, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    if args.analyze:
        t = time.perf_counter()
        for table in tables:
            benchenv.pg_query(args.db, f"ANALYZE {table}")
        report["analyze_seconds"] = round(time.perf_counter() - t, 1)
    report["kpi_stats"] = benchenv.pg_query(
        args.db,
        "SELECT last_analyze::text, last_autoanalyze::text FROM pg_stat_user_tables WHERE relname = %s",
        ["appeals_kpidaily"],
    )

    t = benchenv.manage(env, "issue_token", "chenjing", "--name", "kpi bench", "--days", "1", check=False)
    if t.returncode:
        report["pending"] = f"no token for chenjing: {t.stderr.strip()[-300:]}"
        return finish(report, started)
    token = t.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}

    servers = {
        "after": benchenv.start_gunicorn(
            env, workers=args.workers, worker_class="sync", threads=1, port=benchenv.free_port()
        )
    }
    if args.before:
        servers["before"] = benchenv.start_gunicorn(
            env,
            workers=args.workers,
            worker_class="sync",
            threads=1,
            port=benchenv.free_port(),
            name="gunicorn-before",
            code=benchenv.worktree(args.before),
        )
    srv = servers["after"]
    try:
        today = timezone.localdate()
        turn = 0
        for days in (30, 365):
            since = today - timedelta(days=days - 1)
            for group in args.group_by.split(","):
                path = f"/api/v1/appeals/kpis?group_by={group}&from={since}&to={today}"
                order = list(servers) if turn % 2 == 0 else list(reversed(servers))
                turn += 1
                for version in order:
                    url = servers[version].base + path
                    first = benchenv.run_load(
                        url, None, n=5, concurrency=1, method="GET", expect=200, headers=headers
                    )
                    for conc in [1] + ([args.concurrency] if args.concurrency > 1 else []):
                        r = benchenv.run_load(
                            url, None, n=args.requests, concurrency=conc, method="GET", expect=200,
                            headers=headers, max_seconds=args.max_seconds,
                        )  # fmt: skip
                        r.update(
                            group_by=group, days=days, url=path, warmup_p50=first["p50_ms"], version=version
                        )
                        report["runs"].append(r)
                        log(
                            f"  {version:>6} {group:>8} {days:>3} days, {conc} client(s): {r['ok']}/{r['sent']}"
                            f" ok, {r['throughput']}/s, p50 {r['p50_ms']} p95 {r['p95_ms']} p99 {r['p99_ms']} ms "
                            f"{r['statuses']}"
                        )
        # What one answer looks like (size, rows), for the record.
        import urllib.request

        req = urllib.request.Request(
            f"{srv.base}/api/v1/appeals/kpis?group_by=unit&from={today - timedelta(days=364)}&to={today}",
            headers=headers,
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
        report["sample"] = {"bytes": len(body), "rows": len(json.loads(body).get("rows", []))}
    finally:
        for server in servers.values():
            server.stop()
    return finish(report, started)


def finish(report: dict, started: float) -> int:
    report["uptime_after"] = benchenv.uptime()
    report["seconds"] = round(time.time() - started)
    name = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    lines = [
        f"`{report['command']}`",
        "",
        f"uptime before: `{report['uptime_before']}`  ",
        f"uptime after: `{report['uptime_after']}`",
        "",
        f"history: {report.get('appeals', 0):,} appeals, {report.get('events', 0):,} events; grown by COPY: "
        f"{report.get('grow')}",
        "",
    ]
    if "rebuild" in report:
        lines += [f"`manage.py rebuild_appeal_kpis`: {report['rebuild']['seconds']} s, exit "
                  f"{report['rebuild']['exit']}, {report['rebuild']['stdout']}; rollup rows: "
                  f"{report.get('kpi_rows')}", ""]  # fmt: skip
    if report.get("rollup_rows"):
        lines += [f"rollup rows: {report['rollup_rows']}", ""]
    if "kpi_stats" in report:
        lines += [
            f"rollup table statistics (last_analyze, last_autoanalyze) when measured: {report['kpi_stats']}",
            "",
        ]
    if report.get("pending"):
        lines += [f"**KPI part pending:** {report['pending']}", ""]
    if report["runs"]:
        before = report["args"].get("before")
        lines += [
            f"code: `after` = this checkout, `before` = {before}" if before else "code: this checkout",
            "",
            "| code | group_by | period | clients | completed | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in report["runs"]:
            lines.append(
                f"| {r.get('version', 'after')} | {r['group_by']} | last {r['days']} days | {r['concurrency']} "
                f"| {r['ok']} / {r['requested']} | {r['throughput']} | {r['p50_ms']} | {r['p95_ms']} "
                f"| {r['p99_ms']} | {r['max_ms']} | {r['errors']} |"
            )
        if before:
            lines += [
                "",
                "| group_by | period | clients | p50 after / before | p99 after / before |",
                "|---|---|---|---|---|",
            ]
            for r in report["runs"]:
                if r.get("version") != "after":
                    continue
                b = next(
                    x for x in report["runs"]
                    if x.get("version") == "before"
                    and (x["group_by"], x["days"], x["concurrency"]) == (r["group_by"], r["days"], r["concurrency"])
                )  # fmt: skip
                lines.append(
                    f"| {r['group_by']} | last {r['days']} days | {r['concurrency']} "
                    f"| {r['p50_ms'] / b['p50_ms']:.3f} | {r['p99_ms'] / b['p99_ms']:.3f} |"
                )
    if report.get("sample"):
        lines += ["", f"one answer (group_by=unit, 365 days): {report['sample']}"]
    for n in report["notes"]:
        lines.append(f"\nnote: {n}")
    md = "\n".join(lines) + "\n"
    (RESULTS / f"{name}.md").write_text(md)
    print(md)
    log(f"wrote {RESULTS / name}.json and .md in {report['seconds']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
