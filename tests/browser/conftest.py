"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium), never a downloaded one.

Where Chromium is missing the tests are skipped with the reason, unless SHEQU_REQUIRE_BROWSER=1 (CI sets it and
installs chromium and fonts-noto-cjk), where a missing browser is a failure.
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API keeps an event loop running in this thread; Django then refuses ORM calls as "async".
# The calls are in fact synchronous test code (Playwright's and Django's documented workaround for tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _TurnTakingWSGIServer(ThreadedWSGIServer):
    """The live server, with requests that take turns at the application.

    On SQLite the test database lives in memory: the live server's request threads all share the test's one
    connection. A page that fetches several things at once (the map's district outlines) then ran two requests
    on that connection together; their savepoints crossed ("no such savepoint"), the connection was left in a
    broken transaction, and every test after it failed (CI, stop 32: 1 failure and 119 errors). Connections
    stay threaded (keep-alive works, a slow request does not block the socket); only the application call is
    serialised. On PostgreSQL each thread has its own connection and nothing is shared, but the browser
    journeys run on SQLite only (.ci/run)."""

    _turn = threading.Lock()

    def set_app(self, application):
        turn = self._turn

        def one_at_a_time(environ, start_response):
            with turn:
                return _ClosedInTurn(application(environ, start_response), turn)

        super().set_app(one_at_a_time)


class _ClosedInTurn:
    """A response whose close() (Django's request_finished: connection checks on the shared connection) also
    waits for its turn. Its body is plain bytes or a file, read without the database."""

    def __init__(self, result, turn):
        self.result, self.turn = result, turn

    def __iter__(self):
        return iter(self.result)

    def close(self):
        with self.turn:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()


LiveServerThread.server_class = _TurnTakingWSGIServer

CHROMIUM = os.environ.get("SHEQU_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Screenshots of every journey's steps (issue 21), looked at before anything is called done.
SHOTS = Path(os.environ.get("SHEQU_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("SHEQU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: browser tests need Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _close_contexts(request):
    """Close the contexts a test opened when it ends, and with them Chromium's keep-alive connections.

    Left open, they lived until the browser closed at the end of the session, after the live server had stopped
    sharing SQLite's in-memory connection with its request threads: each of those threads then failed to close
    that connection ("DatabaseWrapper objects created in a thread can only be used in that same thread"), some
    75 PytestUnhandledThreadExceptionWarnings per SQLite run. Closed here, while the live server still runs, the
    threads finish as they should."""
    yield
    if "browser" in request.fixturenames:
        for context in list(request.getfixturevalue("browser").contexts):
            context.close()


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def cast_world(transactional_db):
    """The demo cast on the Shenzhen city pack, for journeys on the live server.

    A transactional test's flush empties every table, so the pack and the migrated categories are put back first;
    the audit trail refuses DELETE, so it is wiped after the test for the next flush."""
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    from .restore import restore_migrated_data

    if not Area.objects.exists():
        load_city_pack("shenzhen")
    restore_migrated_data()
    yield ensure_cast()
    from shequ.audit.tests.tampering import wipe

    wipe()
