"""The demo's venues: every street has some, a month of bookings that never overlap, events and courses, all
flagged synthetic, and a second run adds nothing."""

from __future__ import annotations

import pytest
from django.db.models import Q

from shequ.demo.cast import ensure_cast
from shequ.demo.seed import _streets
from shequ.geo.models import Area
from shequ.venues.demo import seed_venues
from shequ.venues.models import Activity, Booking, Venue

pytestmark = pytest.mark.django_db


def test_venues_in_every_street_a_month_of_bookings_and_activities_all_synthetic():
    users = ensure_cast()
    assert (
        seed_venues(seed=1, streets=_streets("city"), users=users)
        == 2 * Area.objects.filter(level="street").count()
    )
    for street in Area.objects.filter(level="street"):
        assert Venue.objects.filter(Q(area=street) | Q(area__parent=street)).count() == 2, street.name
    assert not Venue.objects.filter(synthetic=False).exists()
    bookings = list(
        Booking.objects.filter(status__in=["confirmed", "checked_in", "pending"]).values_list(
            "venue", "start", "end"
        )
    )
    assert len(bookings) > 5000
    seen: dict[int, list] = {}
    for venue, start, end in sorted(bookings):
        assert all(not (s < end and start < e) for s, e in seen.get(venue, [])), "overlap"
        seen.setdefault(venue, []).append((start, end))
    first, last = min(b[1] for b in bookings), max(b[1] for b in bookings)
    assert (last - first).days >= 27
    assert (
        Activity.objects.filter(kind="event").count() == Activity.objects.filter(kind="course").count() == 78
    )
    assert not Activity.objects.filter(synthetic=False).exists()
    assert seed_venues(seed=1, streets=_streets("city"), users=users) == 0


def test_care_places_in_every_street_with_a_week_never_over_capacity_and_zhangweis_mother_booked():
    from shequ.venues.models import CareBooking, CareDay, CarePlace

    users = ensure_cast()
    seed_venues(seed=1, streets=_streets("city"), users=users)
    streets = Area.objects.filter(level="street")
    for street in streets:
        places = CarePlace.objects.filter(Q(area=street) | Q(area__path__startswith=street.path))
        assert sorted(places.values_list("kind", flat=True)) == ["elder", "infant", "infant"], street.name
    assert not CarePlace.objects.filter(synthetic=False).exists()
    for day in CareDay.objects.all():
        held = CareBooking.objects.filter(place=day.place_id, day=day.day, status="booked").count()
        assert held == day.taken <= day.capacity
    assert CareBooking.objects.filter(family=users["zhangwei"], member__name="王秀英").exists()
    count = CarePlace.objects.count()
    seed_venues(seed=1, streets=_streets("city"), users=users)
    assert CarePlace.objects.count() == count
