"""/api/v1 venues and bookings: venues and free times are public; booking needs a sign-in; thin over services."""

from datetime import datetime, time, timedelta
from typing import cast

from django.http import HttpRequest
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
from shequ.core.idempotency import once_response
from shequ.geo.selectors import area_get

from . import care, selectors, services
from .models import Activity, Booking, CareBooking, CareMember, CarePlace, Team, Venue
from .photos import photo_urls

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
    photos: list[str] = Field(description="Addresses of the venue's photos, served as images")
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
        "photos": photo_urls(v),  # the addresses of the venue's photos (shequ.venues.photos)
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

    return once_response(request, work)


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


# --- 托 places (issue 25 item 4) ----------------------------------------------------------------------------------
class CarePlaceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    age_band: str
    max_care_level: int
    facility: str
    facility_id: int
    area: AreaRef
    address: str
    capacity: int
    sessions: list[str]
    max_hours: int
    max_notice_days: int
    who_may_book: str
    fee_note: str
    synthetic: bool


class CareDayOut(Schema):
    date: str
    open: bool
    places_left: int


class CareAvailabilityOut(Schema):
    place: int
    days: list[CareDayOut]


class CarePlaceFilters(Schema):
    area: str | None = Field(None, max_length=19)
    kind: str | None = Field(None, max_length=10)


class CareBookingIn(Schema):
    place: Id
    member: Id
    date: Day
    session: str = Field(..., max_length=10)
    half: str = Field("", max_length=2)
    start_at: time | None = None
    hours: int = Field(0, ge=0, le=24)


class CareBookingOut(Schema):
    id: int
    place: int
    place_name: str
    member: int
    date: str
    session: str
    session_label: str
    half: str
    start: datetime
    end: datetime
    status: str
    status_label: str


class CareMemberIn(Schema):
    name: str = Field(..., max_length=40)
    kind: str = Field(..., max_length=10)
    birth_date: Day
    care_level: int | None = Field(None, ge=0, le=4)
    relation: str = Field("", max_length=20)


class CareMemberOut(Schema):
    id: int
    name: str
    kind: str
    birth_date: str
    care_level: int | None
    relation: str


def care_place_out(p: CarePlace) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "kind_label": p.get_kind_display(),
        "age_band": p.age_band,
        "max_care_level": p.max_care_level,
        "facility": p.facility.name,
        "facility_id": p.facility_id,
        "area": {"code": p.area.code, "name": p.area.name},
        "address": p.facility.address,
        "capacity": p.capacity,
        "sessions": list(p.sessions or []),
        "max_hours": p.max_hours,
        "max_notice_days": p.max_notice_days,
        "who_may_book": p.who_may_book,
        "fee_note": p.fee_note,
        "synthetic": p.synthetic,
    }


def care_booking_out(b: CareBooking) -> dict:
    return {
        "id": b.pk,
        "place": b.place_id,
        "place_name": b.place.name,
        "member": b.member_id,
        "date": b.day.isoformat(),
        "session": b.session,
        "session_label": str(b.get_session_display()),
        "half": b.half,
        "start": b.start.isoformat(),
        "end": b.end.isoformat(),
        "status": b.status,
        "status_label": str(b.get_status_display()),
    }


def care_member_out(m: CareMember) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "kind": m.kind,
        "birth_date": m.birth_date.isoformat(),
        "care_level": m.care_level,
        "relation": m.relation,
    }


@router.get(
    "/care-places", response={200: list[CarePlaceOut], **errors(404)}, auth=None, summary="List care places"
)
@paginate
def list_care_places(request: HttpRequest, filters: Query[CarePlaceFilters]):
    """Elder day care and infant care places, optionally under an `area` (a code) and of a `kind`
    (`elder`, `infant`)."""
    area = area_get(code=filters.area) if filters.area else None
    return MappedQuerySet(care.care_places(area=area, kind=filters.kind), care_place_out)


@router.get(
    "/care-places/{place_id}/availability",
    response={200: CareAvailabilityOut, **errors(404)},
    auth=None,
    summary="A care place's places left per day",
)
def care_availability(request: HttpRequest, place_id: Id, date: Day, days: int = Query(7, ge=1, le=31)):
    """From `date`, for `days` days: whether the place is open and how many places are left."""
    place = care.care_place_get(pk=place_id)
    dates = [date + timedelta(days=i) for i in range(days)]
    left = care.places_left(place, dates)
    return {
        "place": place.pk,
        "days": [
            {"date": d.isoformat(), "open": care.open_span(place, d) is not None, "places_left": left[d]}
            for d in dates
        ],
    }


@router.post(
    "/care-members",
    response={201: CareMemberOut, **errors(401, 403, *CREATE)},
    auth=PROTECTED,
    summary="Add someone to book care for",
)
def create_care_member(request: HttpRequest, payload: CareMemberIn):
    """An elder (with the assessed `care_level`, 0 able … 4 fully dependent) or a child under three."""
    user = cast(User, request.user)

    def work() -> tuple[int, dict]:
        member = care.care_member_add(actor=user, **payload.dict())
        return 201, care_member_out(member)

    return once_response(request, work)


@router.get(
    "/care-members",
    response={200: list[CareMemberOut], **errors(401, 403)},
    auth=PROTECTED,
    summary="My people",
)
@paginate
def my_care_members(request: HttpRequest):
    return MappedQuerySet(care.care_members_mine(user=request.user), care_member_out)


@router.post(
    "/care-bookings",
    response={201: CareBookingOut, **errors(401, 403, 404, *CREATE)},
    auth=PROTECTED,
    summary="Book a care session",
)
def create_care_booking(request: HttpRequest, payload: CareBookingIn):
    """201 with the booking; 409 `care_full` when the day's places are taken, `duplicate` when the person is
    booked that day already; 400 `not_eligible` (age, care level, home area) or `invalid_time`. Repeat with the
    same `Idempotency-Key` header to get the first answer back (booked once)."""
    user = cast(User, request.user)

    def work() -> tuple[int, dict]:
        place = care.care_place_get(pk=payload.place)
        member = care.care_members_mine(user=user).filter(pk=payload.member).first()
        if member is None:
            raise NotFound(_("No family member with this id."), fields={"member": str(payload.member)})
        booking = care.care_book(
            actor=user,
            place=place,
            member=member,
            day=payload.date,
            session=payload.session,
            half=payload.half,
            start_at=payload.start_at,
            hours=payload.hours,
        )
        return 201, care_booking_out(booking)

    return once_response(request, work)


@router.get(
    "/care-bookings",
    response={200: list[CareBookingOut], **errors(401, 403)},
    auth=PROTECTED,
    summary="My care bookings",
)
@paginate
def my_care_bookings(request: HttpRequest):
    return MappedQuerySet(care.care_bookings_mine(user=request.user), care_booking_out)


@router.post(
    "/care-bookings/{booking_id}/cancel",
    response={200: CareBookingOut, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="Cancel a care booking",
)
def cancel_care_booking(request: HttpRequest, booking_id: Id):
    """The family until the session begins (409 `too_late` after)."""
    user = cast(User, request.user)
    booking = care.care_bookings_mine(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("No care booking with this id."))
    return care_booking_out(care.care_cancel(actor=user, booking=booking))


@router.post(
    "/care-bookings/{booking_id}/check-in",
    response={200: CareBookingOut, **errors(*PROTECTED_WRITE)},
    auth=PROTECTED,
    summary="Check a person in at the care place",
)
def check_in_care_booking(request: HttpRequest, booking_id: Id):
    """A manager of the place's area (venues.manage), from an hour before the session to its end."""
    user = cast(User, request.user)
    booking = care.care_booking_get_for(user=user, pk=booking_id)
    return care_booking_out(care.care_check_in(actor=user, booking=booking))
