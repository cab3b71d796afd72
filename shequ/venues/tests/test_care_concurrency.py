"""Forty families press "book" at once for the ten places of one day of elder day care, each in his own thread with
his own database connection: exactly ten bookings, thirty clear "full" answers, the day's counter at ten, on SQLite
(the write lock taken at BEGIN) and on PostgreSQL (the conditional UPDATE on the day's row). A second test writes
past the counter's condition to show that the check constraint alone refuses an eleventh place."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connections, transaction
from django.db.models import F

from shequ.accounts.models import User
from shequ.core.errors import ShequError
from shequ.facilities.services import facility_types_ensure
from shequ.venues import care
from shequ.venues.choices import WhoMayBook
from shequ.venues.models import CareDay, CareMember

from . import helpers
from .helpers import make_care_place
from .test_concurrency import _connect, _database_for_threads

clock = helpers.clock
pytestmark = pytest.mark.django_db(transaction=True)

N, PLACES = 40, 10
TUESDAY = date(2026, 3, 3)


@pytest.fixture
def world(transactional_db):
    facility_types_ensure()  # an earlier transactional test's flush emptied what the migration loads
    place = make_care_place(capacity=PLACES, who_may_book=WhoMayBook.CITY)
    User.objects.bulk_create([User(username=f"family{i:03d}") for i in range(N)])
    families = list(User.objects.filter(username__startswith="family").order_by("username"))
    CareMember.objects.bulk_create(
        [
            CareMember(family=u, name=f"长者{i}", kind="elder", birth_date=date(1945, 1, 1), care_level=1)
            for i, u in enumerate(families)
        ]
    )
    members = {m.family_id: m for m in CareMember.objects.all()}
    yield place, [(u, members[u.pk]) for u in families]
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def test_forty_families_at_once_get_exactly_the_ten_places_of_the_day(world, clock, tmp_path):
    place, families = world
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()
    with _database_for_threads(tmp_path) as (prepare, _statuses):

        def attempt(user: User, member: CareMember) -> None:
            try:
                prepare()
                barrier.wait(timeout=60)
                _connect()
                try:
                    care.care_book(actor=user, place=place, member=member, day=TUESDAY, session="full_day")
                    result = "booked"
                except ShequError as e:
                    result = e.code
                except Exception as e:  # anything else is a failure of the test, kept to be shown
                    result = f"error: {type(e).__name__}: {e}"
                with lock:
                    outcomes.append(result)
                if result == "booked":
                    with lock:
                        counted.append(
                            CareDay.objects.filter(place=place, day=TUESDAY)
                            .values_list("taken", flat=True)
                            .get()
                        )
            finally:
                connections.close_all()

        counted: list[int] = []
        threads = [threading.Thread(target=attempt, args=fm) for fm in families]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert sorted(set(outcomes)) == ["booked", "care_full"], sorted(set(outcomes))
    assert outcomes.count("booked") == PLACES and outcomes.count("care_full") == N - PLACES
    assert max(counted) == PLACES


def test_the_check_constraint_refuses_a_place_beyond_capacity_even_without_the_condition(world, clock):
    place, families = world
    for user, member in families[:PLACES]:
        care.care_book(actor=user, place=place, member=member, day=TUESDAY, session="full_day")
    with pytest.raises(IntegrityError), transaction.atomic():
        CareDay.objects.filter(place=place, day=TUESDAY).update(taken=F("taken") + 1)
    assert CareDay.objects.get(place=place, day=TUESDAY).taken == PLACES
