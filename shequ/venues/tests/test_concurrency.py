"""100 people press "book" on one slot at the same moment, each in his own thread with his own database connection:
exactly one booking, 99 clear "taken" answers, on SQLite (the write lock taken at BEGIN) and on PostgreSQL (the
exclusion constraint). A second test takes the overlap check away to show that on PostgreSQL the constraint
alone refuses the second booking.

SQLite: the test database is in memory with a shared cache, whose table locks do not wait on busy_timeout
("database table is locked" at once), unlike the file the platform runs on. So the race runs on a copy of the test
database in a file (sqlite3's backup), with the platform's own connection settings (WAL, busy_timeout,
transaction_mode IMMEDIATE): each thread's `default` connection points at that file."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from shequ.accounts.models import User
from shequ.core.errors import ShequError
from shequ.facilities.services import facility_types_ensure
from shequ.venues import services
from shequ.venues.choices import BookingStatus, WhoMayBook
from shequ.venues.models import Booking

from . import helpers
from .helpers import at, make_venue

clock = helpers.clock
pytestmark = pytest.mark.django_db(transaction=True)

N = 100


@pytest.fixture
def world(transactional_db):
    facility_types_ensure()  # an earlier transactional test's flush emptied what the migration loads
    venue = make_venue("华富文体中心羽毛球场", who_may_book=WhoMayBook.CITY)
    User.objects.bulk_create([User(username=f"racer{i:03d}") for i in range(N)])
    yield venue, list(User.objects.filter(username__startswith="racer").order_by("username"))
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


@contextmanager
def _database_for_threads(tmp_path: Path):
    """PostgreSQL: the test database itself. SQLite: a file copy of it; yields (prepare-thread, count-bookings)."""
    if connection.vendor != "sqlite":
        yield (
            (lambda: None),
            (lambda venue: list(Booking.objects.filter(venue=venue).values_list("status", flat=True))),
        )
        return
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = {**connection.settings_dict, "NAME": str(path)}
    wrapper = type(connections["default"])  # the backend's DatabaseWrapper (`connection` is only a proxy)

    def prepare() -> None:
        connections["default"] = wrapper(settings_dict, alias="default")

    def statuses(venue) -> list[str]:
        with sqlite3.connect(path) as db:
            return [
                r[0] for r in db.execute("SELECT status FROM venues_booking WHERE venue_id = ?", [venue.pk])
            ]

    yield prepare, statuses


def test_a_hundred_simultaneous_requests_for_one_slot_make_exactly_one_booking(world, clock, tmp_path):
    venue, people = world
    with _database_for_threads(tmp_path) as (prepare, statuses):
        _race(venue, people, prepare)
        assert statuses(venue) == [BookingStatus.CONFIRMED]


def _connect() -> None:
    """This thread's connection, waiting while the server has no free one (PostgreSQL's max_connections is 100 and
    other tests share it; a pooler would queue the request the same way). The booking itself is never retried."""
    for _ in range(600):
        try:
            connections["default"].ensure_connection()
            return
        except OperationalError:
            connections["default"].close()
            time.sleep(0.05)
    raise AssertionError("no database connection within 30 s")


def _race(venue, people, prepare) -> None:
    start = at(1, "19:00")
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user: User) -> None:
        try:
            prepare()
            barrier.wait(timeout=60)
            _connect()
            try:
                services.booking_create(actor=user, venue=venue, start=start, end=start + timedelta(hours=1))
                result = "booked"
            except ShequError as e:
                result = e.code
            except Exception as e:  # anything else is a failure of the test, kept to be shown
                result = f"error: {type(e).__name__}: {e}"
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(outcomes)) == ["booked", "slot_taken"], sorted(set(outcomes))
    assert outcomes.count("booked") == 1 and outcomes.count("slot_taken") == N - 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_without_the_overlap_check_the_database_still_refuses_a_second_booking(world, clock):
    venue, people = world
    start = at(1, "19:00")
    services.booking_create(actor=people[0], venue=venue, start=start, end=start + timedelta(hours=1))
    with pytest.raises(IntegrityError, match=services.NO_OVERLAP), transaction.atomic():
        Booking.objects.create(
            venue=venue,
            person=people[1],
            start=start + timedelta(minutes=30),
            end=start + timedelta(minutes=90),
            status=BookingStatus.CONFIRMED,
        )
    # A cancelled booking holds nothing: the same time may be booked again.
    Booking.objects.filter(venue=venue).update(status=BookingStatus.CANCELLED)
    Booking.objects.create(
        venue=venue,
        person=people[1],
        start=start,
        end=start + timedelta(hours=1),
        status=BookingStatus.CONFIRMED,
    )
