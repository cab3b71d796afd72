"""Intake over HTTP: gunicorn + PostgreSQL while the history grows, against the peer baisitong2 in the same run.

    .venv/bin/python bench/intake/run.py --appeals 200000 --concurrency 32 --peer

What it does (bench/README.md has the details):
 1. recreates the database `shequ_bench`, migrates it, loads the Shenzhen pack and the small demo seed, with fixed
    keys (kept in /tmp/shequ-bench/keys.json), DEBUG off, config.settings.base, no broker (tasks eager);
 2. starts gunicorn on 127.0.0.1 (reaching PostgreSQL by TCP on 127.0.0.1, or through its Unix socket with
    --db-socket, by default where it exists; --db-tcp for TCP) and, with --peer, baisitong2 in /tmp/bench-peer on another port;
 3. at history 0 and after each bulk growth (COPY, synthetic rows, not through HTTP) to 1/steps … all of
    --appeals, POSTs --requests appeals with the load generator (a separate process) twice: closed loop at
    --concurrency (the most it does) and open loop at --rate (the goal: that many appeals/s, p99 from when each
    request was due); the peer gets the same requests, after its own history is grown to the same size;
 4. optionally profiles one extra closed-loop run with py-spy and samples PostgreSQL's lock waits;
 5. writes bench/intake/results/<time>.json and .md (the tables), and prints them.

Every server it starts is stopped at the end, by its process group id.
"""

from __future__ import annotations

import argparse
import collections
import json
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib import benchenv, peer
from bench.lib.benchenv import BENCH_DIR, LOAD_VENV, WORK, log

PG_SOCKET_DIR = "/var/run/postgresql"  # Debian's PostgreSQL

RESULTS = BENCH_DIR / "intake" / "results"


def _ratio(ours: float, peer: float) -> str:
    """ours / peer with three significant figures: 0.0045×, not 0.00×."""
    return f"{ours / peer:.3g}×"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--appeals", type=int, default=200_000, help="history at the last step")
    p.add_argument("--steps", type=int, default=4, help="growth steps after history 0")
    p.add_argument("--requests", type=int, default=5000, help="requests per measured phase")
    p.add_argument("--concurrency", type=int, default=32, help="closed-loop clients")
    p.add_argument("--rate", type=float, default=300.0, help="open-loop arrivals/s (0: skip)")
    p.add_argument("--open-concurrency", type=int, default=256, help="most requests in flight, open loop")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    p.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    p.add_argument("--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE of the server")
    p.add_argument("--db", default="shequ_bench")
    p.add_argument(
        "--db-socket",
        default=PG_SOCKET_DIR if Path(PG_SOCKET_DIR, ".s.PGSQL.5432").exists() else "",
        help="the server reaches PostgreSQL through its Unix socket in this folder, as a deployment with both on "
        f"one machine does (README); the default where the socket exists: {PG_SOCKET_DIR}",
    )
    p.add_argument(
        "--db-tcp",
        action="store_true",
        help="reach PostgreSQL by TCP on 127.0.0.1 instead (as the first to ninth runs did)",
    )
    p.add_argument("--keep-db", action="store_true", help="reuse the database as it is (no recreate)")
    p.add_argument("--peer", action="store_true", help="also run baisitong2 in the same command")
    p.add_argument("--peer-max-seconds", type=float, default=60.0, help="time cap of a peer phase")
    p.add_argument("--phase-max-seconds", type=float, default=120.0, help="time cap of our closed phase")
    p.add_argument("--open-max-seconds", type=float, default=40.0, help="time cap of an open-loop phase")
    p.add_argument("--profile", action="store_true", help="py-spy one extra run at the end, sample PG locks")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tag", default="", help="a word added to the result file name")
    p.add_argument(
        "--broker",
        default="",
        help="CELERY_BROKER_URL of the server (production setting): the after-intake work (auto-dispatch, "
        "duplicates) is then left queued in the database for a worker's drain instead of run in the request; no "
        "worker runs during the bench",
    )
    args = p.parse_args()
    if args.db_tcp:
        args.db_socket = ""
    return args


def lock_sampler(db: str, stop: threading.Event, out: dict) -> None:
    """Every 50 ms: how many of the bench database's backends are active, and waiting on what."""
    import psycopg

    samples = 0
    waits: collections.Counter = collections.Counter()
    active_total = 0
    with psycopg.connect(dbname="postgres", autocommit=True, **benchenv.PG) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [db],
            ).fetchall()
            samples += 1
            for state, wtype, wevent in rows:
                if state == "active":
                    active_total += 1
                    waits[f"{wtype or 'CPU'}:{wevent or '-'}"] += 1
            time.sleep(0.05)
    out.update(
        samples=samples,
        mean_active=round(active_total / max(samples, 1), 2),
        waits={k: round(v / max(samples, 1), 2) for k, v in waits.most_common(8)},
    )


PACKAGES = [
    ("psycopg/", "psycopg: waiting for / talking to PostgreSQL"),
    ("django/db/", "Django ORM (query building, model instances)"),
    ("gunicorn/", "gunicorn (accept, read, write sockets)"),
    ("ninja/", "django-ninja + pydantic (parsing, validation)"),
    ("pydantic", "django-ninja + pydantic (parsing, validation)"),
    ("cryptography/", "AES-GCM / HMAC of personal data"),
    ("shapely/", "shapely (point in district)"),
    ("json/", "json"),
    ("django/", "Django (other: middleware, i18n, settings)"),
    ("shequ/", "shequ code itself"),
]


def pyspy_top(raw_files: list[Path], n: int = 15) -> dict:
    """Collapsed stacks of all workers → the project's functions with the most samples (inclusive) and where
    the leaf samples fall, by package."""
    inclusive: collections.Counter = collections.Counter()
    leaf: collections.Counter = collections.Counter()
    total = 0
    for f in raw_files:
        if not f.exists():
            continue
        for line in f.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            c = int(count)
            total += c
            frames = [fr for fr in stack.split(";") if fr]
            seen = set()
            for fr in frames:
                name, _, where = fr.partition(" (")
                file = where.split(":")[0]
                if "shequ/" in file and (name, file) not in seen:
                    inclusive[f"{name} ({file})"] += c
                    seen.add((name, file))
            if frames:
                file = frames[-1].partition(" (")[2]
                leaf[next((label for key, label in PACKAGES if key in file), "other")] += c

    def pct(counter: collections.Counter) -> list[tuple[str, float]]:
        return [(k, round(100 * v / max(total, 1), 1)) for k, v in counter.most_common(n)]

    return {"samples": total, "inclusive": pct(inclusive), "leaf_by_package": pct(leaf)}


class Managed:
    """A server the bench may restart between phases (a new port each time; state lives in the database)."""

    def __init__(self, name: str, start, fresh=None):
        if fresh:
            fresh()
        self.name, self.start, self.srv = name, start, start()

    def url(self, path: str) -> str:
        return self.srv.base + path

    def settle(self, force: bool = False) -> None:
        if not force and self.srv.wait_idle(30):
            return
        log(f"  {self.name}: {'overloaded' if force else 'still busy after 30 s'}; restarting it")
        self.srv.stop()
        self.srv = self.start()


def phase(
    name: str,
    url: str,
    payload_file: Path,
    args,
    *,
    rate: float,
    conc: int,
    cap: float,
    expect: int,
    headers: dict | None = None,
    server: Managed | None = None,
) -> dict:
    la0, busy0 = benchenv.loadavg(), benchenv.cpu_busy_seconds()
    srv_cpu0 = server.srv.cpu_seconds() if server else 0.0
    r = benchenv.run_load(
        url,
        payload_file,
        n=args.requests,
        concurrency=conc,
        rate=rate,
        expect=expect,
        max_seconds=cap,
        headers=headers,
    )
    r["loadavg_before"], r["loadavg_after"], r["name"] = la0, benchenv.loadavg(), name
    # CPU seconds per second of the phase: the whole machine (max = nproc) and the server under test.
    r["machine_cpu"] = round((benchenv.cpu_busy_seconds() - busy0) / max(r["seconds"], 0.01), 2)
    r["server_cpu"] = (
        round((server.srv.cpu_seconds() - srv_cpu0) / max(r["seconds"], 0.01), 2) if server else None
    )
    log(
        f"  {name:>14}: {r['ok']}/{r['sent']} ok in {r['seconds']}s = {r['throughput']}/s  "
        f"p50 {r['p50_ms']} p95 {r['p95_ms']} p99 {r['p99_ms']} ms  errors {r['errors']} {r['statuses']}"
        + f"  cpu machine {r['machine_cpu']} server {r['server_cpu']}  load {la0} -> {r['loadavg_after']}"
        + ("  TIME CAP" if r["timed_out"] else "")
    )
    return r


def main() -> int:
    args = parse()
    started = time.time()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = benchenv.new_report("bench/intake/run.py", args, steps=[])
    env = benchenv.server_env(
        args.db,
        conn_max_age=args.conn_max_age,
        broker=args.broker,
        notes=report["notes"],
        load_packages=["aiohttp", "py-spy"],
    )
    if args.db_socket:
        env["DATABASE_URL"] = benchenv.socket_url(args.db_socket, args.db)
    if not args.keep_db:
        log(f"recreate database {args.db}")
        benchenv.recreate_database(args.db)
        t = time.perf_counter()
        benchenv.seed_project_database(env, report["notes"])
        report["setup_seconds"] = round(time.perf_counter() - t, 1)

    benchenv.setup_django_here(args.db, conn_max_age=0)
    from bench.lib import grow, payloads
    from shequ.appeals.models import Appeal, ResponsibilityRule

    report["responsibility_rules"] = ResponsibilityRule.objects.count()

    # The resident portal's browser holds a CSRF cookie and sends it back in X-CSRFToken; so does the bench. A
    # program with neither is refused (403 "CSRF check Failed"): see bench/README.md.
    csrf = secrets.token_hex(16)
    ours_headers = {"Cookie": f"csrftoken={csrf}", "X-CSRFToken": csrf}

    def start_ours() -> benchenv.Server:
        return benchenv.start_gunicorn(
            env,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.threads,
            port=benchenv.free_port(),
        )

    ours = Managed("gunicorn", start_ours)
    peer_m: Managed | None = None
    try:
        if args.peer:
            ok, err = peer.install()
            if not ok:
                report["notes"].append(f"peer not installed: {err}")
                log(f"PEER NOT INSTALLED: {err}")
            else:
                try:
                    peer_m = Managed("baisitong2", lambda: peer.start(benchenv.free_port()), fresh=peer.reset)
                except Exception as exc:
                    report["notes"].append(f"peer did not start: {exc}")
                    log(f"PEER DID NOT START: {exc}")

        def payload_files(tag: str, seed: int) -> tuple[Path, Path]:
            a, b = WORK / f"ours-{tag}.jsonl", WORK / f"peer-{tag}.jsonl"
            payloads.write_payloads(a, n=args.requests, seed=seed, peer_path=b)
            return a, b

        # Warm-up: every worker imports, connects and loads the district shapes; not counted.
        w_ours, w_peer = payload_files("warmup", args.seed * 100)
        benchenv.run_load(
            ours.url("/api/v1/appeals"), w_ours, n=300, concurrency=8, headers=ours_headers, max_seconds=60
        )
        if peer_m:
            benchenv.run_load(peer_m.url("/api/appeals"), w_peer, n=300, concurrency=8, expect=200)

        targets = [0] + [round(args.appeals * (i + 1) / args.steps) for i in range(args.steps)]
        for i, target in enumerate(targets):
            step: dict = {"target": target}
            if target:
                log(f"grow our history to {target:,}")
                step["grow"] = grow.grow_appeals(target, seed=args.seed + i)
                log(f"  {step['grow']}")
            step["history"] = Appeal.objects.count()
            step["synthetic"] = Appeal.objects.filter(synthetic=True).count()
            log(f"step {i}: history {step['history']:,} appeals in PostgreSQL")
            f_closed, p_closed = payload_files(f"s{i}c", args.seed * 1000 + 2 * i)
            f_open, p_open = payload_files(f"s{i}o", args.seed * 1000 + 2 * i + 1)
            for kind, f, rate, conc in (
                ("closed", f_closed, 0.0, args.concurrency),
                ("open", f_open, args.rate, args.open_concurrency),
            ):
                if kind == "open" and not args.rate:
                    continue
                label = f"ours {kind}" if kind == "closed" else f"ours {args.rate:g}/s"
                step[f"ours_{kind}"] = phase(
                    label, ours.url("/api/v1/appeals"), f, args, rate=rate, conc=conc,
                    cap=args.phase_max_seconds if kind == "closed" else args.open_max_seconds,
                    expect=201, headers=ours_headers, server=ours,
                )  # fmt: skip
                ours.settle()
            if peer_m:
                if target:
                    step["peer_grow"] = peer.grow(target, seed=args.seed + i)
                step["peer_history"] = peer.count()
                log(f"step {i}: peer history {step['peer_history']:,} appeals in its SQLite")
                for kind, f, rate, conc in (
                    ("closed", p_closed, 0.0, args.concurrency),
                    ("open", p_open, args.rate, args.open_concurrency),
                ):
                    if kind == "open" and not args.rate:
                        continue
                    label = f"peer {kind}" if kind == "closed" else f"peer {args.rate:g}/s"
                    r = phase(
                        label, peer_m.url("/api/appeals"), f, args, rate=rate, conc=conc,
                        cap=args.peer_max_seconds if kind == "closed" else args.open_max_seconds,
                        expect=200, server=peer_m,
                    )  # fmt: skip
                    step[f"peer_{kind}"] = r
                    # An overloaded peer keeps working through requests its clients gave up on: restart it
                    # (its SQLite file stays) so that the backlog is not charged to the next phase.
                    peer_m.settle(force=bool(r["timed_out"] or r["errors"]))
            report["steps"].append(step)

        if args.profile:
            log("profile: one more closed-loop run with py-spy on every worker and PG lock sampling")
            f_prof, _ = payload_files("prof", args.seed * 1000 + 99)
            raws = []
            spies = []
            for pid in ours.srv.pids()[1:]:
                out = WORK / f"pyspy-{pid}.txt"
                raws.append(out)
                spies.append(
                    subprocess.Popen(
                        [str(LOAD_VENV / "bin" / "py-spy"), "record", "--pid", str(pid), "--format", "raw",
                         "--output", str(out), "--duration", "25", "--rate", "200", "--nonblocking"],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )  # fmt: skip
            stop, pg = threading.Event(), {}
            sampler = threading.Thread(target=lock_sampler, args=(args.db, stop, pg))
            sampler.start()
            time.sleep(1)
            prof = phase(
                "profiled", ours.url("/api/v1/appeals"), f_prof, args, rate=0, conc=args.concurrency,
                cap=30, expect=201, headers=ours_headers, server=ours,
            )  # fmt: skip
            stop.set()
            sampler.join()
            for s in spies:
                s.wait(timeout=60)
            report["profile"] = {"run": prof, "pg_activity": pg, "pyspy": pyspy_top(raws)}
            log(f"  pg activity: {pg}")
            for k, v in report["profile"]["pyspy"]["inclusive"]:
                log(f"  {v:5.1f}%  {k}")
    finally:
        if peer_m:
            peer_m.srv.stop()
        ours.srv.stop()
        if args.broker:
            _purge(args.broker, report)
        report["after_intake_queued"] = benchenv.pg_query(
            args.db, "SELECT count(*) FROM dispatch_intakequeue"
        )[0][0]
    report["uptime_after"] = benchenv.uptime()
    report["seconds"] = round(time.time() - started)
    log(report["uptime_after"])
    name = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime()) + (f"-{args.tag}" if args.tag else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    md = render(report)
    (RESULTS / f"{name}.md").write_text(md)
    print(md)
    log(f"wrote {RESULTS / name}.json and .md in {report['seconds']}s")
    return 0


def _purge(url: str, report: dict) -> None:
    """Drop the tasks the bench published (nobody consumed them), counting them first: none since the after-intake
    work is queued in the database (the code before published one per appeal)."""
    import redis

    client = redis.Redis.from_url(url)
    report["tasks_published"] = int(client.llen("celery"))
    client.delete("celery")


def render(r: dict) -> str:
    a = r["args"]
    lines = [
        f"`{r['command']}`",
        "",
        f"gunicorn: {a['workers']} {a['worker_class']} workers"
        + (f" × {a['threads']} threads" if a["worker_class"] == "gthread" else "")
        + f", DB_CONN_MAX_AGE={a['conn_max_age']}; PostgreSQL reached by "
        + (f"its Unix socket in {a['db_socket']}" if a.get("db_socket") else "TCP on 127.0.0.1")
        + "; responsibility rules in the database: "
        f"{r.get('responsibility_rules')}",
        "",
        f"uptime before: `{r['uptime_before']}`  ",
        f"uptime after: `{r['uptime_after']}`",
        "",
    ]
    head = (
        "| run | completed / asked | appeals/s | p50 ms | p95 ms | p99 ms | max ms | errors "
        "| machine CPU (of 2) | server CPU | load 1-min before → after |"
    )
    for i, s in enumerate(r["steps"]):
        hist = f"{s['history']:,} appeals in PostgreSQL"
        if "peer_history" in s:
            hist += f", peer {s['peer_history']:,} in its SQLite"
        grown = f" (grown by COPY in {s['grow']['seconds']} s)" if s.get("grow", {}).get("inserted") else ""
        lines += [f"**Step {i}: {hist}{grown}**", "", head, "|---|---|---|---|---|---|---|---|---|---|---|"]
        for who in ("ours", "peer"):
            for kind in ("closed", "open"):
                x = s.get(f"{who}_{kind}")
                if not x:
                    continue
                label = (
                    f"{who}, closed loop {x['concurrency']} clients"
                    if kind == "closed"
                    else (f"{who}, open loop {x['rate']:g}/s")
                )
                done = f"{x['ok']} / {x['requested']}" + (" (time cap)" if x["timed_out"] else "")
                lines.append(
                    f"| {label} | {done} | {x['throughput']} | {x['p50_ms']} | {x['p95_ms']} | {x['p99_ms']} "
                    f"| {x['max_ms']} | {x['errors']} | {x.get('machine_cpu')} | {x.get('server_cpu')} "
                    f"| {x['loadavg_before'].split()[0]} → {x['loadavg_after'].split()[0]} |"
                )
        lines.append("")
    if any("peer_closed" in s for s in r["steps"]):
        lines += [
            "**Ratios ours / peer** (appeals/s: above 1 is ours faster; p99: below 1 is ours faster)",
            "",
            "| history | closed: appeals/s | closed: p99 | open: appeals/s | open: p99 |",
            "|---|---|---|---|---|",
        ]
        for s in r["steps"]:
            cells = []
            for kind in ("closed", "open"):
                o, p = s.get(f"ours_{kind}"), s.get(f"peer_{kind}")
                if o and p:
                    cells += [
                        _ratio(o["throughput"], p["throughput"]) if p["throughput"] else "peer 0/s",
                        _ratio(o["p99_ms"], p["p99_ms"]) if p["p99_ms"] else "-",
                    ]
                else:
                    cells += ["-", "-"]
            lines.append(f"| {s['history']:,} | " + " | ".join(cells) + " |")
        lines.append("")
    if "profile" in r:
        pr = r["profile"]
        lines += [
            f"**Profile** (py-spy, {pr['pyspy']['samples']} samples over all workers; PostgreSQL activity "
            f"sampled every 50 ms: mean active backends {pr['pg_activity'].get('mean_active')}, "
            f"by wait {pr['pg_activity'].get('waits')})",
            "",
            "| % of samples (inclusive) | function |",
            "|---|---|",
        ]
        lines += [f"| {v} | `{k}` |" for k, v in pr["pyspy"]["inclusive"]]
        lines += ["", "| % of samples (where the leaf frame is) | package |", "|---|---|"]
        lines += [f"| {v} | {k} |" for k, v in pr["pyspy"]["leaf_by_package"]]
        lines.append("")
    for n in r["notes"]:
        lines.append(f"note: {n}  ")
    if "after_intake_queued" in r:
        lines.append(
            f"after the bench: {r['after_intake_queued']:,} appeals' after-intake work queued in the database, "
            f"{r.get('tasks_published', 0):,} tasks in the broker's queue (dropped)  "
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
