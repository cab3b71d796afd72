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


def test_a_cancellation_racing_thirty_sign_ups_leaves_no_live_sign_up_and_no_place_taken(transactional_db):
    """30 sign-ups (places and waiting list) released together with the organiser's cancellation: each sign-up
    either landed before it (and was cancelled with the rest) or was refused as not open; nothing live remains."""
    from shequ.volunteers.choices import ActivityStatus

    from .helpers import make_account

    organiser = make_account()
    team = make_team(managers=[organiser])
    activity = make_activity(team, shifts=[shift_data(capacity=10)])
    shift = activity.shifts.get()
    volunteers = [make_volunteer() for _ in range(30)]
    start = threading.Barrier(len(volunteers) + 1)
    outcomes: list = []
    lock = threading.Lock()

    def sign_up(volunteer) -> None:
        try:
            start.wait()
            s = services.signup_create(actor=volunteer.user, shift=shift, waitlist=True)
            with lock:
                outcomes.append(s.status)
        except ShequError as exc:
            with lock:
                outcomes.append(exc.code)
        finally:
            connections.close_all()

    def cancel() -> None:
        try:
            start.wait()
            services.activity_cancel(actor=organiser, activity=activity, reason="台风停课")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(v,)) for v in volunteers]
    threads.append(threading.Thread(target=cancel))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 30 and set(outcomes) <= {"confirmed", "waitlisted", "not_open"}, outcomes
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED
    assert not Signup.objects.filter(shift=shift).exclude(status=SignupStatus.CANCELLED).exists()
    assert Shift.objects.get(pk=shift.pk).taken == 0
    landed = sum(1 for o in outcomes if o != "not_open")
    assert Signup.objects.filter(shift=shift).count() == landed
