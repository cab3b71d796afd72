"""Intake A/B: the real POST /api/v1/appeals of two versions of the code, served side by side on one database and
measured in alternating phases of one command, so that both see the same machine at the same time.

    .venv/bin/python bench/intake/ab.py --before 075af7b [--after WORKTREE] [--requests 3000] [--rounds 3]
    .venv/bin/python bench/intake/ab.py --before HEAD --before-client aiohttp   # the load generators compared
    .venv/bin/python bench/intake/ab.py --before HEAD --after-workers 6         # a server setting compared
    .venv/bin/python bench/intake/ab.py --before HEAD --after-db-socket /var/run/postgresql  # TCP or socket

What it does:
 1. checks out `--before` (any git revision) into a worktree under /tmp/shequ-bench (made once per revision);
    `--after` is a folder of code, the working tree by default;
 2. creates the database `shequ_ab` the first time (migrate from the after code, Shenzhen pack, small demo seed)
    and reuses it afterwards (migrated by the after code), so its history grows from run to run; both versions
    must share its schema. With --db-per-version, each version gets a new database of its own instead
    (`shequ_ab_before`, `shequ_ab_after`, made afresh by that version's own migrations), so that a change of the
    schema (indexes) is measured too;
 3. starts one gunicorn per version with the same environment as run.py (4 sync workers, DB_CONN_MAX_AGE 60, tasks
    published to --broker), each with its own version's config/gunicorn.conf.py when it has one;
 4. warms both up, then runs --rounds rounds of one closed-loop phase each (--concurrency clients, --requests
    appeals, fresh bodies from bench/lib/payloads.py), in the order before/after, then after/before, …;
 5. stops without a result when a phase answers any request with an error (a version that fails measures nothing);
    per phase: appeals/s, latency percentiles, the CPU of the gunicorn processes and of all of PostgreSQL per
    answered request, and both in units of the load generator's CPU per request (the same work in every phase:
    a yardstick of the machine's speed at that moment); writes bench/intake/results/<time>-ab.json and .md with
    the means and the after/before ratios, and prints them.

The absolute figures move with the machine (a VM whose speed varies by ±10 % from one minute to the next); the
ratios of one run are what this measures.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv, payloads
from bench.lib.benchenv import BENCH_DIR, REPO, WORK, log

RESULTS = BENCH_DIR / "intake" / "results"
PATH = "/api/v1/appeals"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--before", required=True, help="git revision of the baseline")
    p.add_argument(
        "--after", default=str(REPO), help="folder of the code compared with it (the working tree)"
    )
    p.add_argument("--requests", type=int, default=3000, help="appeals per phase")
    p.add_argument("--rounds", type=int, default=3, help="measured phases per version")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--workers", type=int, default=4, help="sync gunicorn workers of before (and of after)")
    p.add_argument(
        "--after-workers", type=int, default=0, help="of after, when not --workers (a setting compared)"
    )
    p.add_argument(
        "--after-db-socket",
        default="",
        help="of after: reach PostgreSQL through its Unix socket in this folder (e.g. /var/run/postgresql) "
        "instead of TCP on 127.0.0.1 (a setting compared)",
    )
    p.add_argument("--db", default="shequ_ab")
    p.add_argument(
        "--db-per-version",
        action="store_true",
        help="a new database per version, migrated by its own code (for schema changes)",
    )
    p.add_argument(
        "--broker", default="redis://127.0.0.1:6379/14", help="where tasks are published ('' = eager)"
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--before-client", default="raw", choices=["raw", "aiohttp"], help="load generator of before"
    )
    p.add_argument(
        "--after-client", default="raw", choices=["raw", "aiohttp"], help="load generator of after"
    )
    return p.parse_args()


def phase(srv: benchenv.Server, bodies: Path, args: argparse.Namespace, headers: dict, client: str) -> dict:
    pg0, cpu0, load0 = benchenv.pg_cpu(), srv.cpu_seconds(), benchenv.children_cpu()
    rep = benchenv.run_load(
        srv.base + PATH, bodies, n=args.requests, concurrency=args.concurrency, headers=headers, client=client
    )
    cpu = srv.cpu_seconds() - cpu0
    pg = benchenv.pg_cpu() - pg0
    load = benchenv.children_cpu() - load0  # the load generator, a child process that has ended
    ok = max(rep["ok"], 1)
    row = {
        "ok": rep["ok"],
        "errors": rep["errors"],
        "per_s": round(rep["throughput"], 1),
        "p50": rep["p50_ms"],
        "p95": rep["p95_ms"],
        "p99": rep["p99_ms"],
        "server_cpu_ms": round(cpu * 1000 / ok, 2),
        "pg_cpu_ms": round(pg * 1000 / ok, 2),
        "load_cpu_ms": round(load * 1000 / ok, 2),
    }
    srv.wait_idle()
    return row


def main() -> int:
    args = parse()
    code = {"before": benchenv.worktree(args.before), "after": Path(args.after).resolve()}
    report = benchenv.new_report(
        "bench/intake/ab.py", args, before=args.before, after=str(code["after"]), phases=[], summary={}
    )
    dbs = {name: f"{args.db}_{name}" if args.db_per_version else args.db for name in ("before", "after")}
    for name in ("after", "before"):
        env0 = benchenv.django_env(dbs[name], conn_max_age=0)
        if args.db_per_version or not benchenv.database_exists(dbs[name]):
            benchenv.recreate_database(dbs[name])
            benchenv.seed_project_database(
                env0, report["notes"], code=code[name] if args.db_per_version else REPO
            )
        else:  # the shared database, made by an older checkout perhaps: brought to this code's schema
            benchenv.manage(env0, "migrate", "--noinput", "-v", "0")
        if not args.db_per_version:
            break
    benchenv.setup_django_here(dbs["after"])
    envs = {
        name: benchenv.server_env(
            dbs[name],
            conn_max_age=60,
            broker=args.broker or None,
            notes=report["notes"] if name == "after" else [],  # the same note for both: once
            load_packages=["aiohttp"],
        )
        for name in ("before", "after")
    }
    if args.after_db_socket:
        envs["after"]["DATABASE_URL"] = benchenv.socket_url(args.after_db_socket, dbs["after"])
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"csrftoken={csrf}", "X-CSRFToken": csrf}
    servers: dict[str, benchenv.Server] = {}
    try:
        for name in ("before", "after"):
            servers[name] = benchenv.start_gunicorn(
                envs[name],
                workers=(args.after_workers or args.workers) if name == "after" else args.workers,
                worker_class="sync",
                threads=1,
                port=benchenv.free_port(),
                name=name,
                code=code[name],
            )
        for rnd in range(args.rounds + 1):  # round 0 warms both up and is not counted
            order = ("before", "after") if rnd % 2 == 0 else ("after", "before")
            for name in order:
                bodies = WORK / f"ab-{rnd}-{name}.jsonl"
                payloads.write_payloads(
                    bodies, n=args.requests, seed=args.seed * 1000 + rnd * 2 + (name == "after")
                )
                client = getattr(args, f"{name}_client")
                row = {"round": rnd, "version": name, **phase(servers[name], bodies, args, headers, client)}
                row.update(per_load(row))
                log(f"round {rnd} {name}: {json.dumps(row)}")
                if row["errors"]:
                    # A version that fails measures nothing (e.g. a schema it does not know: --db-per-version).
                    raise SystemExit(
                        f"{name} answered {row['errors']} of {args.requests} requests with an error; see "
                        f"{servers[name].log_path}. No result written."
                    )
                if rnd:
                    report["phases"].append(row)
    finally:
        for srv in servers.values():
            srv.stop()
    report["appeals_in_db"] = sum(
        benchenv.pg_query(db, "SELECT count(*) FROM appeals_appeal")[0][0] for db in set(dbs.values())
    )
    report["uptime_after"] = benchenv.uptime()
    for name in ("before", "after"):
        rows = [r for r in report["phases"] if r["version"] == name]
        report["summary"][name] = {key: round(statistics.mean(r[key] for r in rows), 2) for key in KEYS}
    b, a = report["summary"]["before"], report["summary"]["after"]
    report["summary"]["after_over_before"] = {
        key: round(a[key] / b[key], 3) if b.get(key) and key in a else None for key in b
    }
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stamp}-ab.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    text = render(report)
    (RESULTS / f"{stamp}-ab.md").write_text(text)
    print(text)
    return 0


KEYS = (
    "per_s",
    "p50",
    "p95",
    "p99",
    "server_cpu_ms",
    "pg_cpu_ms",
    "load_cpu_ms",
    "server_per_load",
    "pg_per_load",
)


def per_load(row: dict) -> dict:
    """The server's and PostgreSQL's CPU per appeal in units of the load generator's: the load generator does the
    same work for every request of both versions (build, send, read, close), so its CPU per request follows the
    machine's speed from one phase to the next, and these ratios take most of that out (an A/A run, the same code
    on both sides, shows how much: RESULTS.md §1)."""
    load = row.get("load_cpu_ms") or 0
    return {
        "server_per_load": round(row["server_cpu_ms"] / load, 2) if load else None,
        "pg_per_load": round(row["pg_cpu_ms"] / load, 2) if load else None,
    }


def render(r: dict) -> str:
    keys = tuple(k for k in KEYS if all(k in p for p in r["phases"]))  # older files lack the last two
    head = (
        "| | appeals/s | p50 ms | p95 ms | p99 ms | gunicorn CPU ms / appeal | PostgreSQL CPU ms / appeal "
        "| load generator CPU ms / appeal |"
        + (
            " gunicorn CPU / load generator CPU | PostgreSQL CPU / load generator CPU |"
            if "server_per_load" in keys
            else ""
        )
    )
    lines = [
        f"# Intake A/B: {r['before']} → {r['after']}",
        "",
        f"Command: `{r['command']}`  ",
        f"Machine: {r['machine']}  ",
        f"uptime before: `{r['uptime_before']}`, after: `{r['uptime_after']}`  ",
        f"Appeals in `{r['args']['db']}`{'_before and _after' if r['args'].get('db_per_version') else ''} at the "
        f"end: {r['appeals_in_db']:,}  ",
        f"Load generator: before `{r['args'].get('before_client', 'aiohttp')}`, "
        f"after `{r['args'].get('after_client', 'aiohttp')}` (bench/lib/loadgen.py)  ",
        f"gunicorn sync workers: before {r['args']['workers']}, "
        f"after {r['args'].get('after_workers') or r['args']['workers']}  ",
        "PostgreSQL reached by: before TCP 127.0.0.1, after "
        + (
            f"its Unix socket in {r['args']['after_db_socket']}"
            if r["args"].get("after_db_socket")
            else "TCP 127.0.0.1"
        ),
        "",
        f"**Means of {r['args']['rounds']} closed-loop phases each ({r['args']['concurrency']} clients, "
        f"{r['args']['requests']} appeals a phase), alternating**",
        "",
        head,
        "|---" * (len(keys) + 1) + "|",
    ]
    for name in ("before", "after", "after_over_before"):
        s = r["summary"][name]
        label = "after / before" if name == "after_over_before" else name
        lines.append(f"| {label} | " + " | ".join(f"{s[k]}" for k in keys) + " |")
    lines += [
        "",
        "**Every phase**",
        "",
        "| round | version | " + head[4:],
        "|---" * (len(keys) + 2) + "|",
    ]
    for p in r["phases"]:
        lines.append(f"| {p['round']} | {p['version']} | " + " | ".join(f"{p[k]}" for k in keys) + " |")
    lines += ["", *[f"note: {n}  " for n in r["notes"]]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
