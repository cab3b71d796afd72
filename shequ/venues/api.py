"""/api/v1 venues and bookings: venues and free times are public; booking needs a sign-in; thin over services."""

from datetime import datetime
from typing import cast

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from shequ.access.api import PROTECTED, OptionalAuth
from shequ.accounts.models import User
from shequ.core.api.errors import CREATE, PROTECTED_WRITE, errors
from shequ.core.api.pagination import MappedQuerySet
from shequ.core.api.types import Day, Id
from shequ.core.errors import NotFound, ShequError
from shequ.core.idempotency import run_once
from shequ.geo.selectors import area_get

from . import selectors, services
from .models import Activity, Booking, Team, Venue

router = Router(tags=["venues"])


class AreaRef(Schema):
    code: str
    name: str


class VenueOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    facility: str
    facility_id: int
    area: AreaRef
    address: str
    capacity: int
    slot_mode: str
    slot_minutes: int
    price_cents: int
    price_unit: str
    who_may_book: str
    needs_approval: bool
    min_notice_minutes: int
    max_notice_days: int
    max_length_minutes: int
    cancel_deadline_minutes: int
    photos: list[str]
    synthetic: bool


class SlotOut(Schema):
    start: datetime
    end: datetime
    state: str


class AvailabilityOut(Schema):
    venue: int
    date: str
    slots: list[SlotOut]


class BookingIn(Schema):
    venue: Id
    start: datetime
    end: datetime
    people: int = Field(1, ge=1, le=10_000)
    purpose: str = Field("", max_length=200)
    team: Id | None = None


class BookingOut(Schema):
    id: int
    venue: int
    venue_name: str
    start: datetime
    end: datetime
    status: str
    status_label: str
    people: int
    purpose: str
    team: int | None
    price_cents: int
    hold_until: datetime | None


class VenueFilters(Schema):
    area: str | None = Field(None, max_length=19)
    kind: str | None = Field(None, max_length=20)


def venue_out(v: Venue) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "kind": v.kind,
        "kind_label": v.get_kind_display(),
        "facility": v.facility.name,
        "facility_id": v.facility_id,
        "area": {"code": v.area.code, "name": v.area.name},
        "address": v.facility.address,
        "capacity": v.capacity,
        "slot_mode": v.slot_mode,
        "slot_minutes": v.slot_minutes,
        "price_cents": v.price_cents,
        "price_unit": v.price_unit,
        "who_may_book": v.who_may_book,
        "needs_approval": v.needs_approval,
        "min_notice_minutes": v.min_notice_minutes,
        "max_notice_days": v.max_notice_days,
        "max_length_minutes": v.max_length_minutes,
        "cancel_deadline_minutes": v.cancel_deadline_minutes,
        "photos": list(v.photos or []),
        "synthetic": v.synthetic,
    }


def booking_out(b: Booking) -> dict:
    return {
        "id": b.pk,
        "venue": b.venue_id,
        "venue_name": b.venue.name,
        "start": b.start.isoformat(),
        "end": b.end.isoformat(),
        "status": b.status,
        "status_label": str(b.get_status_display()),
        "people": b.people,
        "purpose": b.purpose,
        "team": b.team_id,
        "price_cents": b.price_cents,
        "hold_until": b.hold_until.isoformat() if b.hold_until else None,
    }


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        raise ShequError(
            _("Give the time with its offset, e.g. 2026-12-08T10:00:00+08:00."),
            code="invalid",
            fields={field: "naive"},
        )
    return value


@router.get("/venues", response={200: list[VenueOut], **errors(404)}, auth=None, summary="List venues")
@paginate
def list_venues(request: HttpRequest, filters: Query[VenueFilters]):
    """Bookable venues, optionally under an `area` (a code) and of a `kind`."""
    area = area_get(code=filters.area) if filters.area else None
    return MappedQuerySet(selectors.venue_list(area=area, kind=filters.kind), venue_out)


@router.get("/venues/{venue_id}", response={200: VenueOut, **errors(404)}, auth=None, summary="One venue")
def get_venue(request: HttpRequest, venue_id: Id):
    return venue_out(selectors.venue_get(pk=venue_id))


@router.get(
    "/venues/{venue_id}/availability",
    response={200: AvailabilityOut, **errors(401, 403, 404)},
    auth=OptionalAuth,
    summary="A venue's slots on a day",
)
def venue_availability(request: HttpRequest, venue_id: Id, date: Day):
    """Each slot's state: `free`, `taken`, `mine` (signed in: your own), `past`, or `draw` (opens by a draw)."""
    venue = selectors.venue_get(pk=venue_id)
    slots = selectors.availability(venue=venue, day=date, user=request.user)
    return {
        "venue": venue.pk,
        "date": date.isoformat(),
        "slots": [{"start": s.start, "end": s.end, "state": s.state} for s in slots],
    }


@router.post(
    "/bookings",
    response={201: BookingOut, **errors(401, 403, 404, *CREATE)},
    auth=PROTECTED,
    summary="Book a slot",
)
def create_booking(request: HttpRequest, payload: BookingIn):
    """201 with the booking; 409 `slot_taken` when the time is held already. Repeat with the same
    `Idempotency-Key` header to get the first answer back (booked once)."""
    user = cast(User, request.user)

    def work() -> tuple[int, dict]:
        venue = selectors.venue_get(pk=payload.venue)
        team = None
        if payload.team is not None:
            team = Team.objects.filter(pk=payload.team, leader=user).first()
            if team is None:
                raise NotFound(_("No team with this id that you lead."), fields={"team": str(payload.team)})
        booking = services.booking_create(
            actor=user,
            venue=venue,
            start=_aware(payload.start, "start"),
            end=_aware(payload.end, "end"),
            people=payload.people,
            purpose=payload.purpose,
            team=team,
        )
        return 201, booking_out(booking)

    status, body, replayed = run_once(request, work)
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.get(
    "/bookings", response={200: list[BookingOut], **errors(401, 403)}, auth=PROTECTED, summary="My bookings"
)
@paginate
def my_bookings(request: HttpRequest):
    return MappedQuerySet(selectors.booking_list_mine(user=request.user), booking_out)


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="Cancel a booking",
)
def cancel_booking(request: HttpRequest, booking_id: Id):
    """The booker until the venue's deadline (409 `cancel_too_late` after it); a venue manager of its area."""
    user = cast(User, request.user)
    booking = selectors.booking_get_for(user=user, pk=booking_id)
    return booking_out(services.booking_cancel(actor=user, booking=booking))


class EventOut(Schema):
    id: int
    kind: str
    title: str
    area: AreaRef
    place: str
    organiser: str
    capacity: int
    places_left: int
    open_to_city: bool
    sessions: list[SlotOut]
    synthetic: bool


class EventFilters(Schema):
    area: str | None = Field(None, max_length=19)
    kind: str | None = Field(None, max_length=10)


@router.get("/events", response={200: list[EventOut], **errors(404)}, auth=None, summary="Events and courses")
@paginate
def list_events(request: HttpRequest, filters: Query[EventFilters]):
    """Published community events and courses with a session still to come, under an `area` (a code; those open to
    the whole city included), optionally of one `kind` (`event`, `course`). Each session's `state` is `session`."""
    area = area_get(code=filters.area) if filters.area else None
    qs = selectors.activities_upcoming(area=area, now=timezone.now()).prefetch_related("sessions")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return MappedQuerySet(qs, event_out)


def event_out(a: Activity) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "title": a.title,
        "area": {"code": a.area.code, "name": a.area.name},
        "place": a.place,
        "organiser": a.organiser,
        "capacity": a.capacity,
        "places_left": max(a.capacity - a.taken, 0),
        "open_to_city": a.open_to_city,
        "sessions": [{"start": s.start, "end": s.end, "state": "session"} for s in a.sessions.all()],
        "synthetic": a.synthetic,
    }
