"""Use of venues: booked hours over open hours, no-shows, people served, per venue and per area; on the dashboard."""

from __future__ import annotations

from datetime import date

import pytest

from shequ.access.testing import sign_in
from shequ.geo.models import Area
from shequ.venues import services
from shequ.venues.stats import utilisation

from . import helpers
from .helpers import at, make_venue

clock = helpers.clock
pytestmark = pytest.mark.django_db


def test_booked_over_open_hours_no_shows_and_people_by_area(cast, clock, make_user):
    room = make_venue()  # open 08:00–22:00 every day: 14 hours
    neighbour = helpers.huafu_neighbour(make_user)
    services.booking_create(actor=cast["zhangwei"], venue=room, start=at(1, "09:00"), end=at(1, "11:00"))
    services.booking_create(actor=neighbour, venue=room, start=at(1, "14:00"), end=at(1, "15:00"))
    cancelled = services.booking_create(actor=neighbour, venue=room, start=at(1, "16:00"), end=at(1, "17:00"))
    services.booking_cancel(actor=neighbour, booking=cancelled)
    clock.set(at(1, "14:20"))
    services.bookings_release_no_shows()  # both bookings of the day are no-shows by now (nobody checked in)
    street = Area.objects.get(parent__code="440304", name="华富街道")
    use = utilisation(area=street, date_from=date(2026, 3, 3), date_to=date(2026, 3, 4))
    total = use["total"]
    assert total["open_hours"] == 28.0 and total["booked_hours"] == 3.0
    assert total["rate"] == round(3 / 28, 3)
    assert total["bookings"] == 2 and total["no_show_rate"] == 1.0 and total["people"] == 2
    assert [r["label"] for r in use["by_area"]] == [room.area.name]
    district = Area.objects.get(code="440304")
    assert [
        r["label"]
        for r in utilisation(area=district, date_from=date(2026, 3, 3), date_to=date(2026, 3, 3))["by_area"]
    ] == ["华富街道"]


def test_the_dashboard_shows_the_use_of_venues(client, cast, clock):
    room = make_venue()
    services.booking_create(actor=cast["zhangwei"], venue=room, start=at(1, "09:00"), end=at(1, "10:00"))
    sign_in(client, cast["chenjing"])
    page = client.get(
        "/dashboard/",
        {"area": "440304", "from": "2026-03-01", "to": "2026-03-31"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "场地使用率" in text and "华富街道" in text
