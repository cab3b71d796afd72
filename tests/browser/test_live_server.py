"""The live server the journeys run against takes concurrent requests as Chromium sends them.

On SQLite the request threads share the test's in-memory connection. A staff page that fetched several district
outlines at once ran their session saves together on it; the savepoints crossed and the connection stayed broken
for every later test (CI, stop 32). Requests take turns at the application now (conftest: _TurnTakingWSGIServer).
"""

import json
import threading
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from shequ.accounts.middleware import STAFF_SESSION_FLAG

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

DISTRICTS = ["440303", "440304", "440305", "440306", "440307", "440308"]


def test_a_staff_session_fetching_outlines_at_once_leaves_every_answer_and_the_database_whole(
    live_server, cast_world
):
    client = Client()
    client.force_login(cast_world["wangqiang"])
    session = client.session
    session[STAFF_SESSION_FLAG] = True
    session.save()
    cookie = f"sessionid={session.session_key}"

    answers: list[tuple[str, int, str]] = []
    failures: list[str] = []

    def fetch(code: str) -> None:
        for _ in range(4):
            req = urllib.request.Request(
                f"{live_server.url}/api/v1/areas/{code}/geometry", headers={"Cookie": cookie}
            )
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    answers.append((code, resp.status, json.loads(resp.read())["id"]))
            except Exception as exc:  # an HTTP 500/503 or a refused connection is what this test looks for
                failures.append(f"{code}: {exc}")

    threads = [threading.Thread(target=fetch, args=(code,)) for code in DISTRICTS for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert failures == []
    assert len(answers) == len(DISTRICTS) * 2 * 4
    assert all(status == 200 and got == code for code, status, got in answers)
    # The shared connection is usable afterwards: no broken transaction is left for the next test.
    assert not connection.needs_rollback
    assert connection.in_atomic_block is False
    from shequ.geo.models import Area

    assert Area.objects.filter(code__in=DISTRICTS).count() == len(DISTRICTS)
