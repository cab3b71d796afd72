"""/api/v1 venues and bookings: public venues and free times, 201 or 409, Idempotency-Key, cancel, the matrix."""

from __future__ import annotations

import json

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.venues.choices import BookingStatus
from shequ.venues.models import Booking

from . import helpers
from .helpers import at, make_venue

clock = helpers.clock
pytestmark = pytest.mark.django_db
MISSING = 999999991


@pytest.fixture
def venue(db):
    return make_venue()


def body(venue, day=1, start="09:00", end="10:00") -> dict:
    return {"venue": venue.pk, "start": at(day, start).isoformat(), "end": at(day, end).isoformat()}


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_venues_and_their_slots_are_public(client, venue, clock):
    listed = client.get("/api/v1/venues").json()
    assert [v["name"] for v in listed["items"]] == [venue.name]
    assert listed["items"][0]["area"]["name"] == venue.area.name
    day = client.get(f"/api/v1/venues/{venue.pk}/availability", {"date": "2026-03-03"}).json()
    assert [s["state"] for s in day["slots"]] == ["free"] * 14  # 08:00–22:00 by the hour
    assert client.get(f"/api/v1/venues/{MISSING}/availability", {"date": "2026-03-03"}).status_code == 404
    assert client.get(f"/api/v1/venues/{venue.pk}/availability", {"date": "3 March"}).status_code == 400


def test_the_venue_list_converts_only_the_page_it_answers(client, clock, monkeypatch):
    from shequ.venues import api

    converted = []
    real = api.venue_out
    monkeypatch.setattr(api, "venue_out", lambda v: converted.append(v.pk) or real(v))
    for i in range(5):
        make_venue(f"华富活动室{i}")
    page = client.get("/api/v1/venues", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 5 and [v["name"] for v in page["items"]] == ["华富活动室2", "华富活动室3"]
    assert len(converted) == 2  # not every venue of the city turned into a dict on each request


def test_book_201_then_409_and_the_slot_reads_taken(client, cast, venue, clock, make_user):
    sign_in(client, cast["zhangwei"])
    r = post(client, "/api/v1/bookings", body(venue))
    assert r.status_code == 201, r.content
    assert r.json()["status"] == BookingStatus.CONFIRMED
    day = client.get(f"/api/v1/venues/{venue.pk}/availability", {"date": "2026-03-03"}).json()
    assert day["slots"][1]["state"] == "mine"
    sign_in(client, helpers.huafu_neighbour(make_user))
    again = post(client, "/api/v1/bookings", body(venue))
    assert again.status_code == 409 and again.json()["code"] == "slot_taken"
    client.logout()
    assert (
        client.get(f"/api/v1/venues/{venue.pk}/availability", {"date": "2026-03-03"}).json()["slots"][1][
            "state"
        ]
        == "taken"
    )
    assert Booking.objects.count() == 1


def test_a_retry_with_the_same_idempotency_key_books_once(client, cast, venue, clock):
    sign_in(client, cast["zhangwei"])
    first = post(client, "/api/v1/bookings", body(venue), **{"Idempotency-Key": "k-1"})
    second = post(client, "/api/v1/bookings", body(venue), **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and second["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"start": "2026-03-02T08:00:00+08:00", "end": "2026-03-02T09:00:00+08:00"}, "past"),
        ({"start": "2026-03-03T06:00:00+08:00", "end": "2026-03-03T07:00:00+08:00"}, "closed"),
        ({"start": "2026-03-30T09:00:00+08:00", "end": "2026-03-30T10:00:00+08:00"}, "notice_too_long"),
        ({"start": "2026-03-03T09:00:00", "end": "2026-03-03T10:00:00"}, "invalid"),  # no offset
        ({"people": 31}, "capacity"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_written(client, cast, venue, clock, change, code):
    sign_in(client, cast["zhangwei"])
    r = post(client, "/api/v1/bookings", {**body(venue), **change})
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code and r.json()["message"]
    assert Booking.objects.count() == 0


def test_cancel_then_the_slot_is_free_again(client, cast, venue, clock):
    sign_in(client, cast["zhangwei"])
    booking = post(client, "/api/v1/bookings", body(venue)).json()
    r = post(client, f"/api/v1/bookings/{booking['id']}/cancel", {})
    assert r.status_code == 200 and r.json()["status"] == BookingStatus.CANCELLED
    again = post(client, "/api/v1/bookings", body(venue))
    assert again.status_code == 201


def test_cancelling_after_the_deadline_is_a_409(client, cast, venue, clock):
    sign_in(client, cast["zhangwei"])
    booking = post(client, "/api/v1/bookings", body(venue)).json()
    clock.set(at(1, "07:30"))
    r = post(client, f"/api/v1/bookings/{booking['id']}/cancel", {})
    assert r.status_code == 409 and r.json()["code"] == "cancel_too_late"
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_booking_needs_a_sign_in(self, client, cast, venue, clock):
        self.assert_permission_matrix(
            client,
            url="/api/v1/bookings",
            method="post",
            data=body(venue),
            ok=(201,),
            in_scope=cast["zhangwei"],
        )

    def test_my_bookings_are_my_own(self, client, cast, venue, clock):
        self.assert_permission_matrix(client, url="/api/v1/bookings", in_scope=cast["zhangwei"])

    def test_cancel_by_someone_else_is_404_like_a_missing_booking(
        self, client, cast, venue, clock, make_user
    ):
        from shequ.venues.services import booking_create

        booking = booking_create(
            actor=cast["zhangwei"], venue=venue, start=at(1, "09:00"), end=at(1, "10:00")
        )
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/bookings/{booking.pk}/cancel",
            method="post",
            in_scope=cast["zhangwei"],
            no_role=make_user("nobody"),
            out_of_scope=cast["wangqiang"],
            missing_url=f"/api/v1/bookings/{MISSING}/cancel",
        )
