"""Shared fixtures. The real Shenzhen city pack is loaded once into the test database for the session; every
test is checked afterwards for unmasked ID numbers or phones in what it produced (pages, API, log lines)."""

import logging
import os

import pytest
from hypothesis import HealthCheck, settings

from shequ.core.masking import PersonalDataLogFilter, find_unmasked

# Hypothesis: no timing checks in the suite. A deadline or the `too_slow` health check fails a correct test on a
# busy 2-core machine (it did: make test on a fresh clone while another run loaded the machine), so both are off
# for every run; what a property test proves does not depend on how fast the machine generated its inputs.
# `nightly` runs ten times the examples for a deeper search (HYPOTHESIS_PROFILE=nightly make test).
_UNTIMED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile("default", deadline=None, suppress_health_check=_UNTIMED, print_blob=True)
settings.register_profile("nightly", parent=settings.get_profile("default"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from shequ.geo.citypack import load_city_pack

    with django_db_blocker.unblock():
        load_city_pack("shenzhen")


@pytest.fixture
def broker_url():
    """The real broker for tests marked `broker`; CI and `make test` set CELERY_BROKER_URL."""
    from django.conf import settings

    url = settings.TEST_CELERY_BROKER_URL
    if not url:
        pytest.skip("CELERY_BROKER_URL is not set: broker tests need a real Redis or RabbitMQ")
    return _per_worker_broker(url)


def _per_worker_broker(url: str) -> str:
    """Under pytest-xdist each worker gets its own Redis database (15, 14, …), so that one worker's Celery worker
    never takes a task another worker's test sent (it would run it against the wrong test database)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not url.startswith("redis://"):
        return url
    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 15
    return f"{base}/{(number - int(worker[2:])) % 16}"


@pytest.fixture
def real_celery_worker(broker_url, settings):
    """A real Celery worker (solo pool, a thread of this process) on the real broker, with tasks sent to it
    rather than run eagerly. The app reads eagerness from Django's settings (put back by `settings`); its broker
    and result backend are put back here, and its result backend, cached per thread, forgotten both ways."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    previous = {k: app.conf[k] for k in ("broker_url", "result_backend")}
    app.conf.update(broker_url=broker_url, result_backend=broker_url)
    app._local.__dict__.pop("backend", None)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.update(previous)
        app._local.__dict__.pop("backend", None)


# --- the fixed cast and residents -------------------------------------------------------------------------------
@pytest.fixture
def cast(db):
    from shequ.demo.cast import ensure_cast

    return ensure_cast()


@pytest.fixture
def make_user(db):
    from shequ.accounts.models import User

    def make(username: str, **kw):
        user = User(username=username, **kw)
        user.set_password("Correct-horse-9")
        user.save()
        return user

    return make


def _street(district: str, name: str):
    from shequ.geo.models import Area

    return Area.objects.get(parent__code=district, name=name)


@pytest.fixture
def make_resident(db):
    """A resident in a community of the given street, created through the service (as a user would)."""
    from datetime import date

    from shequ.core.idnumbers import make_id_number
    from shequ.geo.models import Area
    from shequ.residents.services import household_create, resident_create

    counter = {"n": 0}

    def make(
        district: str = "440304",
        street: str = "华富街道",
        *,
        born: date = date(1960, 5, 17),
        phone: str = "",
        tags=(),
        name: str = "测试居民",
    ):
        counter["n"] += 1
        community = Area.objects.filter(parent=_street(district, street)).order_by("code").first()
        household = household_create(actor=None, area=community, room=f"{counter['n']}栋{counter['n']}01室")
        return resident_create(
            actor=None,
            household=household,
            name=name,
            id_number=make_id_number(district, born, counter["n"] % 500, "female"),
            phone=phone or f"139{counter['n']:08d}",
            tags=tags,
        )

    return make


@pytest.fixture(autouse=True)
def fresh_reference_cache():
    """Every test starts without cached reference rows: rolled-back rows of another test must not be served."""
    from shequ.core.db import clear_all

    clear_all()
    yield
    clear_all()


# --- leak scan ----------------------------------------------------------------------------------------------------
class _Recorder(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.addFilter(PersonalDataLogFilter())
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record))
        except Exception:  # a broken record must not hide the others
            self.lines.append(str(record.msg))


@pytest.fixture(autouse=True)
def no_unmasked_personal_data(request):
    """Fail any test whose responses or log lines carry an unmasked ID number or phone outside an audited reveal.

    Responses are recorded by shequ.core.testing.ResponseRecorderMiddleware (installed by the test settings);
    a response marked `X-Shequ-Reveal: audited` is exempt: it is the audited reveal itself.
    """
    from shequ.core import testing

    if request.node.get_closest_marker("allow_unmasked"):
        yield
        return
    recorder = _Recorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    testing.RECORDED.clear()
    try:
        yield
    finally:
        root.removeHandler(recorder)
    leaks = []
    for path, headers, body in testing.RECORDED:
        if headers.get("X-Shequ-Reveal") == "audited":
            continue
        found = find_unmasked(body)
        if found:
            leaks.append(f"response {path}: {found[:3]}")
    for line in recorder.lines:
        found = find_unmasked(line)
        if found:
            leaks.append(f"log line: {found[:3]}")
    testing.RECORDED.clear()
    assert not leaks, "unmasked personal data: " + "; ".join(leaks)


def _flushes(item) -> bool:
    """Does the test end with a flush of every table (a transactional test or the live server)? Not if it was
    skipped before its fixtures were set up."""
    if not getattr(item, "funcargs", None):
        return False
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush of every table; put the city pack back for the tests after it.

    A hook rather than a fixture: it runs after every fixture of the test is torn down, the flush included,
    whatever order pytest-django's fixtures (marker or argument) were set up in. A fixture's teardown could run
    before the flush and reload a pack that the flush then wiped.
    """
    yield
    # After the last test the session's fixtures are gone too (the test database with them): nothing to restore.
    if nextitem is not None and _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        from shequ.geo.citypack import load_city_pack

        with item.config.stash[blocking_manager_key].unblock():
            load_city_pack("shenzhen")
