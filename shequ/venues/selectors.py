"""READS of venues and bookings. Venues and their free times are public (like the facility registry); bookings are
the booker's own, or a venue manager's within his areas: out of scope answers 404 like a missing one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import areas_in_scope, visible_to
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound
from shequ.facilities.models import Facility
from shequ.geo.models import Area

from . import rules
from .choices import HOLDING, BookingStatus
from .models import Activity, Booking, Draw, DrawStatus, Team, Venue
from .services import layout_of, venue_spans


def venue_list(*, area: Area | None = None, kind: str | None = None) -> QuerySet[Venue]:
    qs = Venue.objects.filter(is_active=True).select_related("facility", "area")
    if area is not None:
        qs = qs.filter(area__path__prefix=area.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("area__path", "name", "pk")


def venue_get(*, pk: int) -> Venue:
    venue = Venue.objects.filter(pk=pk, is_active=True).select_related("facility", "area").first()
    if venue is None:
        raise NotFound(_("No venue with this id."))
    return venue


@dataclass
class Slot:
    start: datetime
    end: datetime
    state: str  # free, taken, mine, past, draw
    booking_id: int | None = None

    @property
    def label(self) -> str:
        return f"{timezone.localtime(self.start):%H:%M}–{timezone.localtime(self.end):%H:%M}"


def availability(*, venue: Venue, day: date, user=None, now: datetime | None = None) -> list[Slot]:
    """The day's slots and whether each is free: two queries (the day's holding bookings, its open draws)."""
    now = now or timezone.now()
    day_start = datetime.combine(day, time(0), tzinfo=rules.TZ)
    day_end = day_start + timedelta(days=1)
    held = list(
        Booking.objects.filter(
            venue=venue, status__in=HOLDING, start__lt=day_end, end__gt=day_start
        ).values_list("pk", "start", "end", "person_id")
    )
    draws = list(
        Draw.objects.filter(
            venue=venue, status=DrawStatus.OPEN, start__lt=day_end, end__gt=day_start
        ).values_list("start", "end")
    )
    me = user.pk if user is not None and user.is_authenticated else None
    out = []
    for a, b in rules.slots(layout_of(venue), venue_spans(venue, day)):
        state, bid = "free", None
        for pk, s, e, person in held:
            if s < b and e > a:
                state, bid = ("mine", pk) if person == me else ("taken", None)
                break
        if state == "free" and any(s < b and e > a for s, e in draws):
            state = "draw"
        if state == "free" and a < now:
            state = "past"
        out.append(Slot(a, b, state, bid))
    return out


def booking_list_mine(*, user) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(person=user)
        .select_related("venue", "venue__facility", "team")
        .order_by("-start")
    )


def booking_get_for(*, user, pk: int) -> Booking:
    """The booker's own booking, or one of a venue in the manager's areas; else 404 like a missing one."""
    booking = (
        visible_to(Booking.objects.all(), user, Action.VENUES_MANAGE)
        .select_related("venue", "venue__area")
        .filter(pk=pk)
        .first()
    )
    if booking is None:
        raise NotFound(_("No booking with this id."))
    return booking


def venue_list_for(*, user) -> QuerySet[Venue]:
    """Venues a manager keeps (venues.manage over their area)."""
    return visible_to(Venue.objects.all(), user, Action.VENUES_MANAGE).select_related("facility", "area")


def venue_get_for(*, user, pk: int) -> Venue:
    venue = venue_list_for(user=user).filter(pk=pk).first()
    if venue is None:
        raise NotFound(_("No venue with this id."))
    return venue


def facilities_for_manager(*, user) -> QuerySet[Facility]:
    """The active facilities in the areas where the user manages venues: what the venue form offers."""
    return (
        Facility.objects.filter(is_active=True, area__in=areas_in_scope(user, Action.VENUES_MANAGE))
        .select_related("area")
        .order_by("area__path", "name", "pk")
    )


def day_bookings(*, venue: Venue, day: date) -> list[Booking]:
    day_start = datetime.combine(day, time(0), tzinfo=rules.TZ)
    return list(
        Booking.objects.filter(venue=venue, start__gte=day_start, start__lt=day_start + timedelta(days=1))
        .exclude(status__in=[BookingStatus.LAPSED])
        .select_related("person", "team")
        .order_by("start", "pk")
    )


def teams_led_by(*, user) -> QuerySet[Team]:
    return Team.objects.filter(leader=user).select_related("area").order_by("name")


def activities_upcoming(*, area: Area | None, now: datetime) -> QuerySet[Activity]:
    """Published activities with a session still to come, under `area` (and those open to the whole city)."""
    qs = Activity.objects.filter(is_published=True, sessions__end__gte=now).distinct()
    if area is not None:
        qs = qs.filter(Q(area__path__prefix=area.path) | Q(open_to_city=True))
    return qs.select_related("area").order_by("first_start", "pk")
