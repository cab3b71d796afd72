"""A popular slot by draw and the waiting list that holds a freed slot for the next person, N minutes each."""

from __future__ import annotations

import pytest

from shequ.core.errors import ShequError
from shequ.messages.models import Message
from shequ.venues import draws, services
from shequ.venues.choices import BookingStatus, WhoMayBook
from shequ.venues.models import Booking, DrawEntry, WaitlistEntry, WaitStatus

from . import helpers
from .helpers import at, make_venue

clock = helpers.clock
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return [make_user(f"applicant{i}") for i in range(4)]


def test_the_draw_books_the_winner_queues_the_rest_and_publishes_its_seed(people, clock):
    venue = make_venue(who_may_book=WhoMayBook.CITY, hold_minutes=30)
    draw = draws.draw_create(
        actor=None, venue=venue, start=at(2, "19:00"), end=at(2, "20:00"), draw_at=at(1, "12:00")
    )
    with pytest.raises(ShequError) as info:
        services.booking_create(actor=people[0], venue=venue, start=at(2, "19:00"), end=at(2, "20:00"))
    assert info.value.code == "by_draw"
    for p in people:
        draws.draw_apply(actor=p, draw=draw)
    clock.set(at(1, "12:01"))
    assert draws.draws_run_due() == 1
    draw.refresh_from_db()
    ranked = list(DrawEntry.objects.filter(draw=draw).order_by("rank"))
    assert [e.pk for e in ranked] == draws.draw_order(draw.seed, [(e.pk, e.weight) for e in ranked])
    assert draw.result["seed"] == draw.seed and [r["rank"] for r in draw.result["entries"]] == [1, 2, 3, 4]
    winner = ranked[0].person
    assert Booking.objects.get(venue=venue).person == winner
    queue = list(WaitlistEntry.objects.filter(venue=venue).order_by("position"))
    assert [w.person for w in queue] == [e.person for e in ranked[1:]]
    assert Message.objects.filter(kind="draw.lost").count() == 3

    # The winner cancels: the first on the list is offered the slot, held 30 minutes, then the next.
    services.booking_cancel(actor=winner, booking=Booking.objects.get(venue=venue))
    offer = Booking.objects.get(venue=venue, status=BookingStatus.OFFERED)
    assert offer.person == ranked[1].person and offer.hold_until == at(1, "12:31")
    with pytest.raises(ShequError):  # held: nobody else can take it
        services.booking_create(
            actor=people[0] if winner != people[0] else people[1],
            venue=venue,
            start=at(2, "19:00"),
            end=at(2, "20:00"),
        )
    clock.set(at(1, "12:32"))
    assert draws.offers_lapse() == 1
    second = Booking.objects.get(venue=venue, status=BookingStatus.OFFERED)
    assert second.person == ranked[2].person
    draws.offer_accept(actor=ranked[2].person, booking=second)
    second.refresh_from_db()
    assert second.status == BookingStatus.CONFIRMED
    assert WaitlistEntry.objects.get(offer=second).status == WaitStatus.BOOKED


def test_a_recent_loser_carries_a_higher_weight_into_the_next_draw(people, clock):
    venue = make_venue(who_may_book=WhoMayBook.CITY)
    first = draws.draw_create(
        actor=None, venue=venue, start=at(2, "19:00"), end=at(2, "20:00"), draw_at=at(1, "12:00")
    )
    for p in people[:2]:
        draws.draw_apply(actor=p, draw=first)
    clock.set(at(1, "12:01"))
    draws.draw_run(draw=first)
    loser = DrawEntry.objects.get(draw=first, won=False).person
    second = draws.draw_create(
        actor=None, venue=venue, start=at(3, "19:00"), end=at(3, "20:00"), draw_at=at(2, "12:00")
    )
    for p in people[:2]:
        draws.draw_apply(actor=p, draw=second)
    clock.set(at(2, "12:01"))
    draws.draw_run(draw=second)
    weights = dict(DrawEntry.objects.filter(draw=second).values_list("person_id", "weight"))
    assert weights[loser.pk] == 2 and sorted(weights.values()) == [1, 2]
