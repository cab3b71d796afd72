"""A longer schema-driven fuzz run of /api/v1 than CI's (shequ/api/tests/test_fuzz.py), against a seeded database.

    .venv/bin/python bench/fuzz/run.py [--minutes 5] [--examples 500] [--seed 1] [--pg DBNAME] [--only PATH]

Sets up a scratch database (SQLite under /tmp/shequ-fuzz, or a PostgreSQL database on 127.0.0.1 that it drops and
recreates), migrates it, loads the Shenzhen pack and the small demo seed, issues a bearer token to the 12345
dispatcher (sunli), then lets Schemathesis generate requests for every operation of /api/v1/openapi.json, valid and
invalid ones, as the dispatcher and as an anonymous caller, in-process through the WSGI application. Each answer is
checked as in CI: no 5xx (503 included), a status the operation declares, a content type and a body that match it.

The time is shared evenly between the operations and the two callers; an operation stops at `--examples` or when
its share is spent. Every failure is kept (not only the first of an operation, unlike the pytest run), grouped by
operation, check and status, with one request to reproduce it. The run writes bench/fuzz/results/<time>.json and
.md and exits 1 if anything failed. See bench/fuzz/README.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WORK = Path(os.environ.get("FUZZ_WORK", "/tmp/shequ-fuzz"))


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def prepare_environment(args: argparse.Namespace) -> None:
    """Settings for a scratch database: base settings, DEBUG off (as in production), tasks eager, local keys."""
    WORK.mkdir(parents=True, exist_ok=True)
    var = WORK / "var"
    if args.pg:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.pg], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.pg], check=True)
        url = f"postgres://postgres@127.0.0.1:5432/{args.pg}"
    else:
        db = WORK / "fuzz.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    shutil.rmtree(var / "media", ignore_errors=True)
    (var / "static").mkdir(parents=True, exist_ok=True)
    for name in [k for k in os.environ if k.startswith(("CELERY_", "DJANGO_", "SHEQU_", "REDIS_"))]:
        del os.environ[name]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "localhost",
            "DATABASE_URL": url,
            "SHEQU_VAR_DIR": str(var),
        }
    )


def seed() -> str:
    """Migrate, load the pack and the small demo; the dispatcher's bearer token."""
    from django.core.management import call_command
    from shequ.accounts.models import User
    from shequ.accounts.tokens import token_issue

    log("migrate, load_city_pack shenzhen, seed_demo --scale small --seed 1")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_city_pack", "shenzhen", verbosity=0)
    call_command("seed_demo", scale="small", seed=1, verbosity=0)
    _, raw = token_issue(user=User.objects.get(username="sunli"), name="bench fuzz", days=1)
    return raw


def fuzz(args: argparse.Namespace, token: str) -> dict:
    import hypothesis
    import schemathesis
    from django.core.handlers.wsgi import WSGIHandler
    from hypothesis import HealthCheck, given
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())  # setup() ran once
    operations = [result.ok() for result in schema.get_all_operations()]
    if args.only:
        operations = [op for op in operations if args.only in op.path]
    callers = {"dispatcher": {"Authorization": f"Bearer {token}"}, "anonymous": {}}
    share = args.minutes * 60 / (len(operations) * len(callers))
    log(
        f"{len(operations)} operations × {len(callers)} callers, {share:.1f} s or {args.examples} examples each"
    )

    statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures: dict[tuple[str, str, str], dict] = {}
    sent = 0

    class Spent(Exception):
        pass

    def _runner(operation, strategy, caller: str, headers: dict, deadline: float):
        label = f"{operation.label} [{caller}]"

        @hypothesis.settings(
            max_examples=args.examples,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.generate],
        )
        @hypothesis.seed(args.seed)
        @given(case=strategy)
        def run(case):
            nonlocal sent
            if time.monotonic() > deadline:
                raise Spent
            response = case.call(headers=headers)
            sent += 1
            statuses[label][response.status_code] += 1
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except Exception as exc:  # every failure is kept, the run goes on
                for failure in getattr(exc, "exceptions", [exc]):
                    key = (label, type(failure).__name__, str(response.status_code))
                    if key not in failures:
                        failures[key] = {
                            "operation": label,
                            "check": type(failure).__name__,
                            "status": response.status_code,
                            "message": str(getattr(failure, "title", "") or failure)[:300],
                            "reproduce": case.as_curl_command(headers=headers)[:1000],
                            "body": response.text[:300],
                            "count": 0,
                        }
                    failures[key]["count"] += 1

        return run

    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )
        for caller, headers in callers.items():
            run = _runner(operation, strategy, caller, headers, time.monotonic() + share)
            try:
                run()
            except Spent:
                pass
        done = sum(sum(statuses[f"{operation.label} [{c}]"].values()) for c in callers)
        log(f"{operation.label}: {done} requests")
    return {
        "requests": sent,
        "statuses": {label: dict(sorted(c.items())) for label, c in sorted(statuses.items())},
        "failures": sorted(failures.values(), key=lambda f: (f["operation"], f["check"], f["status"])),
    }


def write(result: dict, args: argparse.Namespace, seconds: float) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, cwd=REPO
    )
    meta = {
        "command": " ".join([".venv/bin/python", "bench/fuzz/run.py", *sys.argv[1:]]),
        # The work tree's changes, when there are any, were part of what ran.
        "revision": head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else ""),
        "database": "postgresql" if args.pg else "sqlite",
        "seconds": round(seconds, 1),
    }
    (out / f"{stamp}.json").write_text(
        json.dumps({**meta, **result}, indent=1, ensure_ascii=False, default=str)
    )
    lines = [
        f"# Fuzz run {stamp}",
        "",
        f"`{meta['command']}` at {meta['revision']} on {meta['database']}: {result['requests']} requests in "
        f"{meta['seconds']} s, {len(result['failures'])} distinct failures.",
        "",
        "| operation [caller] | statuses (count) |",
        "|---|---|",
    ]
    for label, counts in result["statuses"].items():
        lines.append(f"| `{label}` | {', '.join(f'{s}: {n}' for s, n in counts.items())} |")
    if result["failures"]:
        lines += [
            "",
            "## Failures",
            "",
            "| operation [caller] | check | status | count | reproduce |",
            "|---|---|---|---|---|",
        ]
        for f in result["failures"]:
            lines.append(
                f"| `{f['operation']}` | {f['check']} | {f['status']} | {f['count']} | `{f['reproduce']}` |"
            )
    (out / f"{stamp}.md").write_text("\n".join(lines) + "\n")
    return out / f"{stamp}.md"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="time for the whole run (default 5)")
    parser.add_argument(
        "--examples", type=int, default=500, help="at most this many requests per operation and caller"
    )
    parser.add_argument("--seed", type=int, default=1, help="Hypothesis seed (default 1)")
    parser.add_argument(
        "--pg", metavar="DBNAME", help="a PostgreSQL database on 127.0.0.1 (dropped and recreated)"
    )
    parser.add_argument("--only", metavar="PATH", help="only operations whose path contains this")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    prepare_environment(args)
    import django

    django.setup()
    # The refused requests' log lines (4xx are warnings) would drown the report; server errors still print.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    logging.getLogger("django.security").setLevel(logging.ERROR)
    token = seed()
    started = time.monotonic()
    result = fuzz(args, token)
    path = write(result, args, time.monotonic() - started)
    log(
        f"{result['requests']} requests, {len(result['failures'])} distinct failures: {path.relative_to(REPO)}"
    )
    for f in result["failures"]:
        log(f"  {f['operation']}: {f['check']} {f['status']} ×{f['count']}: {f['reproduce']}")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
