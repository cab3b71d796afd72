"""A shift is never over-subscribed, whatever the concurrency (issue 24): 50 people sign up at once for 10 places,
each in a thread with its own database connection. PostgreSQL: the conditional UPDATE waits on the row lock and
re-checks `taken < capacity` on the committed row; the CHECK constraint backs it (tested on both databases in
test_services)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shequ.core.errors import ShequError
from shequ.volunteers import services
from shequ.volunteers.choices import SignupStatus
from shequ.volunteers.models import Shift, Signup

from .helpers import make_activity, make_team, make_volunteer, shift_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrent transactions: PostgreSQL (SQLite serialises writers)",
)


def _all_at_once(volunteers, shift, *, waitlist: bool) -> tuple[list, list[BaseException]]:
    start = threading.Barrier(len(volunteers))
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def sign_up(volunteer) -> None:
        try:
            start.wait()
            signup = services.signup_create(actor=volunteer.user, shift=shift, waitlist=waitlist)
            with lock:
                results.append(signup.status)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(v,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_fifty_sign_ups_at_once_for_ten_places_confirm_exactly_ten(transactional_db):
    shift = make_activity(make_team(), shifts=[shift_data(capacity=10)]).shifts.get()
    volunteers = [make_volunteer() for _ in range(50)]
    results, errors = _all_at_once(volunteers, shift, waitlist=False)
    assert results.count(SignupStatus.CONFIRMED) == 10
    assert len(errors) == 40
    assert all(isinstance(e, ShequError) and e.code == "shift_full" and e.status == 409 for e in errors), (
        errors[:3]
    )
    assert Shift.objects.get(pk=shift.pk).taken == 10
    assert Signup.objects.filter(shift=shift, status=SignupStatus.CONFIRMED).count() == 10
    assert Signup.objects.filter(shift=shift).count() == 10  # the refused wrote nothing


def test_fifty_at_once_with_the_waiting_list_leave_ten_confirmed_and_forty_waiting(transactional_db):
    shift = make_activity(make_team(), shifts=[shift_data(capacity=10)]).shifts.get()
    volunteers = [make_volunteer() for _ in range(50)]
    results, errors = _all_at_once(volunteers, shift, waitlist=True)
    assert errors == []
    assert results.count(SignupStatus.CONFIRMED) == 10 and results.count(SignupStatus.WAITLISTED) == 40
    assert Shift.objects.get(pk=shift.pk).taken == 10
