"""托 places (issue 25 item 4; plan 专栏3 items 2–3): elder day care and infant care booked by the session.

A family adds the person it books for (an elder with his assessed care level, a child with his birth date), then
books a session of a place: 全日托 (the whole opening day), 半日托 (morning or afternoon, split at the place's
`noon`), 计时托 (whole hours within the day, booked before the day) or 临时托 (whole hours today, from the next
half hour). Eligibility is checked against the day of care: the child's age in months within the place's age band,
the elder 60 or over and his care level within what the place cares for.

A day's places are counted in CareDay: a booking takes one by a conditional UPDATE (`taken = taken + 1 WHERE
taken < capacity`), so however many families press "book" at once, the database decides who gets the last place
and the check constraint keeps `taken` within `capacity`. A person is booked at most once a day (a partial unique
constraint). Cancelling gives the place back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import can_at, home_area_for, visible_to
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError
from shequ.core.workdays import get_calendar
from shequ.facilities.hours import Schedule
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from . import rules
from .choices import (
    AGE_BAND_MONTHS,
    CARE_HOLDING,
    AgeBand,
    CareKind,
    CareLevel,
    CareSession,
    CareStatus,
    HalfDay,
    WhoMayBook,
)
from .models import CareBooking, CareDay, CareMember, CarePlace
from .services import ancestor_at

ELDER_AGE = 60
INFANT_MAX_MONTHS = 36
TEMPORARY_LEAD = timedelta(minutes=30)


def full_error() -> ShequError:
    return ShequError(
        _("All places on this day are taken."), code="care_full", status=409, fields={"day": "full"}
    )


# --- reads ------------------------------------------------------------------------------------------------------
def care_places(*, area: Area | None = None, kind: str | None = None) -> QuerySet[CarePlace]:
    """Active care places (public, like the facility registry), optionally under an area and of a kind."""
    qs = CarePlace.objects.filter(is_active=True).select_related("facility", "area")
    if area is not None:
        qs = qs.filter(area__path__prefix=area.path)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("area__path", "name", "pk")


def care_place_get(*, pk: int) -> CarePlace:
    place = care_places().filter(pk=pk).first()
    if place is None:
        raise NotFound(_("No care place with this id."))
    return place


def care_place_list_for(*, user) -> QuerySet[CarePlace]:
    """Care places a manager keeps (venues.manage over their area)."""
    return visible_to(CarePlace.objects.all(), user, Action.VENUES_MANAGE).select_related("facility", "area")


def care_place_get_for(*, user, pk: int) -> CarePlace:
    place = care_place_list_for(user=user).filter(pk=pk).first()
    if place is None:
        raise NotFound(_("No care place with this id."))
    return place


def care_booking_get_for(*, user, pk: int) -> CareBooking:
    """The family's own booking, or one at a place in the manager's areas; else 404 like a missing one."""
    booking = (
        visible_to(CareBooking.objects.all(), user, Action.VENUES_MANAGE)
        .select_related("place", "place__area", "member")
        .filter(pk=pk)
        .first()
    )
    if booking is None:
        raise NotFound(_("No care booking with this id."))
    return booking


def care_bookings_mine(*, user) -> QuerySet[CareBooking]:
    return (
        CareBooking.objects.filter(family=user).select_related("place", "member").order_by("-day", "-start")
    )


def care_members_mine(*, user) -> QuerySet[CareMember]:
    return CareMember.objects.filter(family=user).order_by("created_at", "pk")


def care_day_list(*, place: CarePlace, day: date) -> list[CareBooking]:
    """The day's list at the place's desk: who comes, when, for which session, checked in or not."""
    return list(
        CareBooking.objects.filter(place=place, day=day)
        .exclude(status=CareStatus.CANCELLED)
        .select_related("member", "family")
        .order_by("start", "pk")
    )


def places_left(place: CarePlace, days: list[date]) -> dict[date, int]:
    """Places left on each day: one query over the days' counters (a day nobody booked has them all)."""
    taken = dict(CareDay.objects.filter(place=place, day__in=days).values_list("day", "taken"))
    return {d: max(place.capacity - taken.get(d, 0), 0) for d in days}


# --- rules --------------------------------------------------------------------------------------------------------
def open_span(place: CarePlace, day: date) -> tuple[datetime, datetime] | None:
    """The place's day from its first opening to its last closing (the facility's hours and holidays), or None
    when it is closed."""
    facility = place.facility
    schedule = Schedule(hours=facility.hours or {}, holiday_rule=facility.holiday_rule)
    spans = rules.open_spans(schedule, day, get_calendar())
    if not spans:
        return None
    return spans[0][0], spans[-1][1]


def months_old(birth: date, on: date) -> int:
    """Whole months of age on a day (a child born on 15 March is 2 months old on 15 May, 1 on 14 May)."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months - 1 if on.day < birth.day else months


def years_old(birth: date, on: date) -> int:
    return months_old(birth, on) // 12


def check_eligible(place: CarePlace, member: CareMember, day: date) -> None:
    """ShequError saying why this person may not be cared for here on that day, or nothing."""
    if member.kind != place.kind:
        raise ShequError(
            _("%(place)s is %(kind)s: choose someone it cares for.")
            % {"place": place.name, "kind": place.get_kind_display()},
            code="not_eligible",
            fields={"member": "kind"},
        )
    if place.kind == CareKind.INFANT:
        low, high = AGE_BAND_MONTHS[AgeBand(place.age_band)]
        age = months_old(member.birth_date, day)
        if not low <= age < high:
            raise ShequError(
                _("%(place)s takes children of %(band)s; on %(day)s %(name)s will be %(age)s months old.")
                % {
                    "place": place.name,
                    "band": place.get_age_band_display(),
                    "day": day.isoformat(),
                    "name": member.name,
                    "age": age,
                },
                code="not_eligible",
                fields={"member": "age"},
            )
        return
    if years_old(member.birth_date, day) < ELDER_AGE:
        raise ShequError(
            _("Elder day care is for people aged %(n)s or over.") % {"n": ELDER_AGE},
            code="not_eligible",
            fields={"member": "age"},
        )
    level = member.care_level if member.care_level is not None else CareLevel.ABLE
    if level > place.max_care_level:
        raise ShequError(
            _("%(place)s cares for people up to “%(most)s”; %(name)s is assessed “%(level)s”.")
            % {
                "place": place.name,
                "most": CareLevel(place.max_care_level).label,
                "name": member.name,
                "level": CareLevel(level).label,
            },
            code="not_eligible",
            fields={"member": "care_level"},
        )


def _check_who(place: CarePlace, person: User) -> None:
    if place.who_may_book == WhoMayBook.CITY:
        return
    home = home_area_for(person)
    levels = (
        (AreaLevel.COMMUNITY,)
        if place.who_may_book == WhoMayBook.COMMUNITY
        else (AreaLevel.STREET, AreaLevel.DISTRICT, AreaLevel.CITY)
    )
    where = ancestor_at(place.area, levels) or place.area
    if home is None or not home.path.startswith(where.path):
        raise ShequError(
            _("Only residents of %(place)s may book this care place.") % {"place": where.name},
            code="not_eligible",
        )


@dataclass
class SessionTimes:
    start: datetime
    end: datetime


def session_times(
    place: CarePlace,
    *,
    day: date,
    session: str,
    half: str = "",
    start_at: time | None = None,
    hours: int = 0,
    now: datetime,
) -> SessionTimes:
    """The session's start and end on the day, or a ShequError naming the broken rule (not offered, closed, in the
    past, too far ahead, a 临时托 not today, hours out of range or beyond closing)."""
    if session not in CareSession.values or session not in (place.sessions or []):
        raise ShequError(
            _("This place does not offer this session."), code="invalid", fields={"session": "not offered"}
        )
    today = timezone.localtime(now).date()
    if session == CareSession.TEMPORARY and day != today:
        raise ShequError(
            _("Short-notice care is booked for today only."), code="invalid_time", fields={"day": "not today"}
        )
    if session != CareSession.TEMPORARY and day <= today:
        raise ShequError(
            _("Book this session by the day before; for today, book short-notice care."),
            code="invalid_time",
            fields={"day": "too late"},
        )
    if day > today + timedelta(days=place.max_notice_days):
        raise ShequError(
            _("Care can be booked up to %(n)s days ahead.") % {"n": place.max_notice_days},
            code="invalid_time",
            fields={"day": "too far"},
        )
    span = open_span(place, day)
    if span is None:
        raise ShequError(_("The place is closed on this day."), code="closed", fields={"day": "closed"})
    opens, closes = span
    if session == CareSession.FULL_DAY:
        return SessionTimes(opens, closes)
    if session == CareSession.HALF_DAY:
        noon = datetime.combine(day, place.noon, tzinfo=rules.TZ)
        if half == HalfDay.MORNING and opens < noon:
            return SessionTimes(opens, min(noon, closes))
        if half == HalfDay.AFTERNOON and noon < closes:
            return SessionTimes(max(noon, opens), closes)
        raise ShequError(_("Choose the morning or the afternoon."), code="invalid", fields={"half": half})
    if not 1 <= hours <= place.max_hours:
        raise ShequError(
            _("Book 1 to %(n)s hours.") % {"n": place.max_hours}, code="invalid", fields={"hours": str(hours)}
        )
    if start_at is None:
        raise ShequError(_("Choose the time to start."), code="invalid", fields={"start_at": "missing"})
    start = datetime.combine(day, start_at, tzinfo=rules.TZ)
    end = start + timedelta(hours=hours)
    if start.minute % 30 or start.second:
        raise ShequError(
            _("Start on the hour or the half hour."), code="invalid_time", fields={"start_at": "grid"}
        )
    if session == CareSession.TEMPORARY and start < now + TEMPORARY_LEAD:
        raise ShequError(
            _("Short-notice care starts at least 30 minutes from now."),
            code="invalid_time",
            fields={"start_at": "too soon"},
        )
    if start < opens or end > closes:
        raise ShequError(
            _("The place is open from %(a)s to %(b)s on this day.")
            % {
                "a": timezone.localtime(opens).strftime("%H:%M"),
                "b": timezone.localtime(closes).strftime("%H:%M"),
            },
            code="outside_hours",
            fields={"start_at": "outside hours"},
        )
    return SessionTimes(start, end)


# --- writes -------------------------------------------------------------------------------------------------------
def care_place_create(*, actor: User | None, **fields) -> CarePlace:
    """A care place of a facility, in the facility's area. Staff need venues.manage over that area."""
    facility = fields["facility"]
    area = fields.setdefault("area", facility.area)
    if actor is not None and not can_at(actor, Action.VENUES_MANAGE, area.path):
        raise NotFound(_("No facility with this id."))
    with transaction.atomic():
        place = CarePlace.objects.create(**fields)
        audit_record(
            action="care.place_create",
            actor=actor,
            actor_username="" if actor else "system",
            obj=place,
            object_repr=place.name[:80],
        )
    return place


def care_member_add(
    *,
    actor: User,
    name: str,
    kind: str,
    birth_date: date,
    care_level: int | None = None,
    relation: str = "",
    synthetic: bool = False,
) -> CareMember:
    """The family adds someone it books care for. A child is under three; an elder carries his care level."""
    name = name.strip()
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not name or len(name) > 40:
        errors["name"] = _("Give the name (at most 40 characters).")
    if kind not in CareKind.values:
        errors["kind"] = _("Choose elder or child.")
    if birth_date > today:
        errors["birth_date"] = _("The birth date cannot be in the future.")
    elif kind == CareKind.INFANT and months_old(birth_date, today) >= INFANT_MAX_MONTHS:
        errors["birth_date"] = _("Infant care is for children under three.")
    elif kind == CareKind.ELDER and years_old(birth_date, today) < ELDER_AGE:
        errors["birth_date"] = _("Elder day care is for people aged %(n)s or over.") % {"n": ELDER_AGE}
    if kind == CareKind.ELDER and care_level not in CareLevel.values:
        errors["care_level"] = _("Choose the assessed care level.")
    if errors:
        raise ShequError(next(iter(errors.values())), code="invalid", fields=errors)
    with transaction.atomic():
        member = CareMember.objects.create(
            family=actor,
            name=name,
            kind=kind,
            birth_date=birth_date,
            care_level=care_level if kind == CareKind.ELDER else None,
            relation=relation.strip()[:20],
            synthetic=synthetic,
        )
        audit_record(action="care.member_add", actor=actor, obj=member, object_repr=member.audit_repr())
    return member


def _take_place(place: CarePlace, day: date) -> None:
    """One place of the day, or the 409: the counter row is made once (a racing maker's row is reused) and the
    conditional UPDATE decides."""
    try:
        with transaction.atomic():
            CareDay.objects.get_or_create(place=place, day=day, defaults={"capacity": place.capacity})
    except IntegrityError:
        pass  # another booking made the day's row between our look and our insert: it is there now
    if not CareDay.objects.filter(place=place, day=day, taken__lt=F("capacity")).update(taken=F("taken") + 1):
        raise full_error()


def care_book(
    *,
    actor: User,
    place: CarePlace,
    member: CareMember,
    day: date,
    session: str,
    half: str = "",
    start_at: time | None = None,
    hours: int = 0,
    synthetic: bool = False,
) -> CareBooking:
    """Book a session for a family member: eligibility, the session's rules, then a place of the day taken by the
    database. Every refusal is a ShequError and leaves nothing written."""
    if member.family_id != actor.pk:
        raise NotFound(_("No family member with this id."), fields={"member": str(member.pk)})
    if not place.is_active:
        raise NotFound(_("No care place with this id."))
    now = timezone.now()
    _check_who(place, actor)
    check_eligible(place, member, day)
    times = session_times(place, day=day, session=session, half=half, start_at=start_at, hours=hours, now=now)
    with transaction.atomic():
        if CareBooking.objects.filter(member=member, day=day, status__in=CARE_HOLDING).exists():
            raise ShequError(
                _("%(name)s is already booked on this day.") % {"name": member.name},
                code="duplicate",
                status=409,
                fields={"member": "booked"},
            )
        _take_place(place, day)
        try:
            with transaction.atomic():
                booking = CareBooking.objects.create(
                    place=place,
                    member=member,
                    family=actor,
                    day=day,
                    session=session,
                    half=half if session == CareSession.HALF_DAY else "",
                    start=times.start,
                    end=times.end,
                    synthetic=synthetic,
                )
        except IntegrityError:
            # The same person booked twice at once from two phones: the partial unique constraint kept one.
            raise ShequError(
                _("%(name)s is already booked on this day.") % {"name": member.name},
                code="duplicate",
                status=409,
                fields={"member": "booked"},
            ) from None
        audit_record(
            action="care.book",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"after": booking.status}, "session": {"after": session}},
        )
    return booking


def care_cancel_open(booking: CareBooking, now: datetime) -> bool:
    """A family may cancel until the session begins."""
    return booking.status == CareStatus.BOOKED and now < booking.start


def care_cancel(*, actor: User, booking: CareBooking) -> CareBooking:
    """The family cancels before the session begins; the place goes back to the day."""
    with transaction.atomic():
        booking = CareBooking.objects.select_for_update().get(pk=booking.pk)
        if booking.family_id != actor.pk:
            raise NotFound(_("No care booking with this id."))
        if booking.status != CareStatus.BOOKED:
            raise ShequError(_("This booking cannot be cancelled now."), code="wrong_state", status=409)
        if not care_cancel_open(booking, timezone.now()):
            raise ShequError(
                _("The session has begun: it can no longer be cancelled."), code="too_late", status=409
            )
        booking.status = CareStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        CareDay.objects.filter(place_id=booking.place_id, day=booking.day, taken__gt=0).update(
            taken=F("taken") - 1
        )
        audit_record(
            action="care.cancel",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"before": CareStatus.BOOKED, "after": CareStatus.CANCELLED}},
        )
    return booking


def care_check_in(*, actor: User, booking: CareBooking) -> CareBooking:
    """The place's desk checks the person in on the day of care (from an hour before the session to its end)."""
    with transaction.atomic():
        booking = (
            CareBooking.objects.select_for_update().select_related("place", "place__area").get(pk=booking.pk)
        )
        if not can_at(actor, Action.VENUES_MANAGE, booking.place.area.path):
            raise NotFound(_("No care booking with this id."))
        if booking.status != CareStatus.BOOKED:
            raise ShequError(_("This booking cannot be checked in now."), code="wrong_state", status=409)
        now = timezone.now()
        if not booking.start - timedelta(hours=1) <= now <= booking.end:
            raise ShequError(
                _("Check-in is open from an hour before the session to its end."),
                code="checkin_window",
                status=409,
            )
        booking.status = CareStatus.CHECKED_IN
        booking.checked_in_at = now
        booking.save(update_fields=["status", "checked_in_at"])
        audit_record(
            action="care.check_in",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"before": CareStatus.BOOKED, "after": CareStatus.CHECKED_IN}},
        )
    return booking
