"""The in-process intake of inproc.py and checkpoint.py: the real POST /api/v1/appeals through Django's test client
(the full middleware, django-ninja, the services) on a PostgreSQL database of the bench, with no HTTP server."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bench.lib import benchenv, payloads
from bench.lib.benchenv import WORK


def intake_poster(db: str, *, bodies: int, tag: str, broker: str) -> tuple[list[str], Callable[[str], None]]:
    """Make `db` the first time (migrate, the Shenzhen pack, the small demo seed), else migrate it (the code may
    be newer than the database); set Django up in this process with `broker` (tasks left queued, as in production;
    '' runs them in the request); write `bodies` fresh request bodies. Returns the bodies and a function that posts
    one, stopping the bench on any answer but 201."""
    env = benchenv.django_env(db, conn_max_age=0)
    if not benchenv.database_exists(db):
        benchenv.recreate_database(db)
        benchenv.seed_project_database(env, [])
    else:
        benchenv.manage(env, "migrate", "--noinput", "-v", "0")
    benchenv.setup_django_here(db, conn_max_age=60, broker=broker)
    from django.test import Client

    logging.getLogger("shequ.outbox").setLevel(logging.WARNING)  # one line per appeal otherwise
    path = WORK / f"{tag}.jsonl"
    payloads.write_payloads(path, n=bodies, seed=int(time.time()))
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    client = Client(HTTP_HOST="127.0.0.1")

    def post(body: str) -> None:
        r = client.post("/api/v1/appeals", data=body, content_type="application/json")
        if r.status_code != 201:
            raise SystemExit(f"intake answered {r.status_code}: {r.content[:300]!r}")

    return lines, post
