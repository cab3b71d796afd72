"""WRITES of venues and bookings: `<entity>_<verb>(*, actor, ...)`, one transaction each, audited inside it, people
told through the message centre.

Taking a place: the database decides. On PostgreSQL the exclusion constraint `venues_booking_no_overlap`
(migration 0002) refuses a second holding booking over any part of the same time; the overlap check before the
insert only gives the common case a clear message, and a lost race surfaces as the constraint's IntegrityError,
answered as the same 409. On SQLite the transaction's BEGIN takes the database's write lock
(transaction_mode IMMEDIATE in settings), so nobody can insert between our check and our insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import can_at, home_area_for
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError
from shequ.core.uploads import CleanImage
from shequ.core.workdays import WorkCalendar, get_calendar
from shequ.facilities.hours import Schedule
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.messages.services import message_send

from . import photos as venue_photos
from . import rules, workflow
from .choices import (
    COUNTED,
    HOLDING,
    BookingStatus,
    PriceUnit,
    QuotaHolder,
    QuotaMeasure,
    QuotaPeriod,
    SlotMode,
    VenueKind,
    WhoMayBook,
)
from .models import Ban, BanRule, Booking, Series, Strike, Team, Venue, VenueQuota

NO_OVERLAP = "venues_booking_no_overlap"
MAX_SERIES_WEEKS = 26


def taken_error() -> ShequError:
    return ShequError(
        _("This time is already booked. Choose another slot."),
        code="slot_taken",
        status=409,
        fields={"start": "taken"},
    )


# --- schedules and slots ------------------------------------------------------------------------------------------
def venue_schedule(venue: Venue) -> Schedule:
    facility = venue.facility
    return Schedule(hours=venue.hours or facility.hours or {}, holiday_rule=facility.holiday_rule)


def venue_spans(venue: Venue, day, calendar: WorkCalendar | None = None) -> list[rules.Span]:
    return rules.open_spans(venue_schedule(venue), day, calendar or get_calendar())


def _spans_around(venue: Venue, start: datetime, calendar: WorkCalendar | None = None) -> list[rules.Span]:
    local = start.astimezone(rules.TZ).date()
    return venue_spans(venue, local, calendar)


# --- checks -------------------------------------------------------------------------------------------------------
STREET_OR_ABOVE = (AreaLevel.STREET, AreaLevel.DISTRICT, AreaLevel.CITY)


def ancestor_at(area: Area, levels: Sequence[str]) -> Area | None:
    """The nearest of `area` and its ancestors whose level is one of `levels`: one query over the materialised
    path's codes, not one per parent."""
    if area.level in levels:
        return area
    return Area.objects.filter(code__in=area.ancestor_codes, level__in=levels).order_by("-depth").first()


def _check_who(venue: Venue, home: Area | None, *, team: Team | None) -> None:
    if venue.who_may_book == WhoMayBook.CITY:
        return
    if home is None:
        raise ShequError(
            _(
                "Your home community is not known, so this venue cannot be booked. Ask your community to register you."
            ),
            code="not_eligible",
        )
    levels = (AreaLevel.COMMUNITY,) if venue.who_may_book == WhoMayBook.COMMUNITY else STREET_OR_ABOVE
    place = ancestor_at(venue.area, levels) or venue.area
    if not home.path.startswith(place.path):
        who = _("the team's") if team is not None else _("your")
        raise ShequError(
            _("Only residents of %(place)s may book this venue; %(who)s home is elsewhere.")
            % {"place": place.name, "who": who},
            code="not_eligible",
        )


def active_ban(person: User, now: datetime) -> Ban | None:
    return Ban.objects.filter(person=person, start__lte=now, until__gt=now).order_by("-until").first()


def _check_ban(person: User, now: datetime) -> None:
    ban = active_ban(person, now)
    if ban is not None:
        raise ShequError(
            _("After repeated no-shows you may not book until %(until)s.")
            % {"until": timezone.localtime(ban.until).strftime("%Y-%m-%d %H:%M")},
            code="banned",
            status=403,
        )


def _overlaps(qs, spans: Sequence[rules.Span]):
    condition = Q(pk__in=[])
    for a, b in spans:
        condition |= Q(start__lt=b, end__gt=a)
    return qs.filter(condition)


def _check_own_overlap(person: User, spans: Sequence[rules.Span]) -> None:
    if _overlaps(Booking.objects.filter(person=person, status__in=HOLDING), spans).exists():
        raise ShequError(
            _("You already have a booking at this time."), code="own_overlap", fields={"start": "overlap"}
        )


def _check_quotas(venue: Venue, person: User, team: Team | None, spans: Sequence[rules.Span]) -> None:
    quotas = list(VenueQuota.objects.filter(venue=venue))
    for holder in (QuotaHolder.PERSON, QuotaHolder.TEAM):
        mine = [q for q in quotas if q.holder == holder]
        if not mine or (holder == QuotaHolder.TEAM and team is None):
            continue
        lo, hi = min(s[0] for s in spans) - timedelta(days=32), max(s[1] for s in spans) + timedelta(days=32)
        held_qs = Booking.objects.filter(venue=venue, status__in=COUNTED, start__gte=lo, start__lt=hi)
        held_qs = held_qs.filter(team=team) if holder == QuotaHolder.TEAM else held_qs.filter(person=person)
        held = list(held_qs.values_list("start", "end"))
        breach = rules.quota_breach(
            [rules.QuotaRule(period=q.period, measure=q.measure, limit=q.limit) for q in mine], held, spans
        )
        if breach is not None:
            raise ShequError(
                _("This goes beyond the quota of %(limit)d %(measure)s %(holder)s in %(period)s.")
                % {
                    "limit": breach.limit,
                    "measure": QuotaMeasure(breach.measure).label,
                    "holder": QuotaHolder(holder).label,
                    "period": QuotaPeriod(breach.period).label,
                },
                code="quota",
                fields={"start": "quota"},
            )


def _price(venue: Venue, start: datetime, end: datetime) -> int:
    if venue.price_unit == PriceUnit.PER_BOOKING:
        return venue.price_cents
    return round(venue.price_cents * (end - start).total_seconds() / 3600)


def _insert(booking: Booking) -> Booking:
    """The INSERT in its own savepoint: a lost race on PostgreSQL's exclusion constraint is the same 409."""
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if NO_OVERLAP in str(exc):
            raise taken_error() from exc
        raise
    return booking


def _check_team(actor: User, venue: Venue, team: Team | None) -> None:
    if team is None:
        return
    if team.leader_id != actor.pk:
        raise ShequError(_("Only the team's leader may book for the team."), code="not_leader", status=403)
    if not venue.teams_may_book:
        raise ShequError(_("Teams may not book this venue."), code="not_eligible")


# --- booking ------------------------------------------------------------------------------------------------------
def booking_create(
    *,
    actor: User,
    venue: Venue,
    start: datetime,
    end: datetime,
    people: int = 1,
    purpose: str = "",
    team: Team | None = None,
) -> Booking:
    """Book [start, end) of the venue: instant (confirmed) or awaiting approval, as the venue says."""
    if not venue.is_active:
        raise NotFound(_("No venue with this id."))
    if not 1 <= people <= venue.capacity:
        raise ShequError(
            _("This venue holds at most %(n)d people.") % {"n": venue.capacity},
            code="capacity",
            fields={"people": str(people)},
        )
    now = timezone.now()
    rules.check_times(layout_of(venue), _spans_around(venue, start), start, end, now)
    _check_team(actor, venue, team)
    _check_who(venue, team.area if team is not None else home_area_for(actor), team=team)
    with transaction.atomic():
        # SQLite: BEGIN IMMEDIATE has taken the write lock; PostgreSQL: the exclusion constraint decides below.
        # Taken first: on a hot slot almost every attempt ends here, after one query (bench/venues/RESULTS.md).
        if _overlaps(Booking.objects.filter(venue=venue, status__in=HOLDING), [(start, end)]).exists():
            raise taken_error()
        _check_ban(actor, now)
        _check_own_overlap(actor, [(start, end)])
        _check_scarce(venue, start, end)
        _check_quotas(venue, actor, team, [(start, end)])
        status = BookingStatus.PENDING if venue.needs_approval else BookingStatus.CONFIRMED
        booking = _insert(
            Booking(
                venue=venue,
                person=actor,
                team=team,
                start=start,
                end=end,
                status=status,
                people=people,
                purpose=purpose[:200],
                price_cents=_price(venue, start, end),
            )
        )
        audit_record(
            action="booking.create",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"before": None, "after": status}, "start": {"after": start.isoformat()}},
        )
    return booking


def series_create(
    *,
    actor: User,
    venue: Venue,
    team: Team,
    first_start: datetime,
    minutes: int,
    weeks: int,
    purpose: str = "",
) -> Series:
    """A team's weekly booking for `weeks` weeks: every week checked (hours, notice, overlaps, quotas over the whole
    series together), then all booked in one transaction, or none."""
    if not 1 <= weeks <= MAX_SERIES_WEEKS:
        raise ShequError(
            _("A recurring booking runs 1 to %(n)d weeks.") % {"n": MAX_SERIES_WEEKS},
            code="invalid",
            fields={"weeks": str(weeks)},
        )
    if not venue.is_active:
        raise NotFound(_("No venue with this id."))
    _check_team(actor, venue, team)
    now = timezone.now()
    calendar = get_calendar()
    spans = []
    for w in range(weeks):
        start = (first_start.astimezone(rules.TZ) + timedelta(weeks=w)).astimezone(first_start.tzinfo)
        end = start + timedelta(minutes=minutes)
        try:
            # Notice is judged for the first week only: the series is booked now, its later weeks lie further out.
            layout = layout_of(venue) if w == 0 else _far_layout(venue)
            rules.check_times(layout, _spans_around(venue, start, calendar), start, end, now)
        except ShequError as exc:
            raise ShequError(
                _("Week %(n)d (%(day)s): %(problem)s")
                % {
                    "n": w + 1,
                    "day": start.astimezone(rules.TZ).strftime("%Y-%m-%d"),
                    "problem": exc.message,
                },
                code=exc.code,
                fields={"weeks": str(w + 1)},
            ) from exc
        spans.append((start, end))
    _check_who(venue, team.area, team=team)
    with transaction.atomic():
        _check_ban(actor, now)
        _check_own_overlap(actor, spans)
        for a, b in spans:
            _check_scarce(venue, a, b)
        _check_quotas(venue, actor, team, spans)
        clash = (
            _overlaps(Booking.objects.filter(venue=venue, status__in=HOLDING), spans)
            .order_by("start")
            .first()
        )
        if clash is not None:
            raise ShequError(
                _("The week of %(day)s is already booked: nothing was booked.")
                % {"day": clash.start.astimezone(rules.TZ).strftime("%Y-%m-%d")},
                code="slot_taken",
                status=409,
            )
        series = Series.objects.create(
            venue=venue, team=team, person=actor, first_start=spans[0][0], minutes=minutes, weeks=weeks
        )
        status = BookingStatus.PENDING if venue.needs_approval else BookingStatus.CONFIRMED
        for a, b in spans:
            _insert(
                Booking(
                    venue=venue,
                    person=actor,
                    team=team,
                    series=series,
                    start=a,
                    end=b,
                    status=status,
                    purpose=purpose[:200],
                    people=1,
                    price_cents=_price(venue, a, b),
                )
            )
        audit_record(
            action="booking.series",
            actor=actor,
            obj=series,
            object_repr=f"series {series.pk} of venue {venue.pk}: {weeks} weeks",
            changes={"weeks": {"after": weeks}, "first": {"after": spans[0][0].isoformat()}},
        )
    return series


def layout_of(venue: Venue) -> rules.LayoutData:
    return rules.LayoutData(
        venue.slot_mode,
        venue.slot_minutes,
        venue.min_notice_minutes,
        venue.max_notice_days,
        venue.max_length_minutes,
    )


def _far_layout(venue: Venue) -> rules.LayoutData:
    return rules.LayoutData(venue.slot_mode, venue.slot_minutes, 0, 10_000, venue.max_length_minutes)


def _check_scarce(venue: Venue, start: datetime, end: datetime) -> None:
    """A popular slot (as configured) opens by a draw, not first come (shequ.venues.draws)."""
    from .draws import open_draw_over

    draw = open_draw_over(venue, start, end)
    if draw is not None:
        raise ShequError(
            _("This slot is allotted by a draw at %(when)s: apply for the draw instead.")
            % {"when": timezone.localtime(draw.draw_at).strftime("%Y-%m-%d %H:%M")},
            code="by_draw",
            status=409,
        )


def _transition(booking: Booking, action: str, role: str) -> str:
    if not workflow.allowed(action, booking.status, role):
        raise ShequError(
            _("This booking cannot be changed this way now (%(status)s).")
            % {"status": booking.get_status_display()},
            code="wrong_state",
            status=409,
        )
    return workflow.target(action)


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("venue").get(pk=booking.pk)


def can_manage(actor: User, venue: Venue) -> bool:
    return can_at(actor, Action.VENUES_MANAGE, venue.area.path)


def cancel_deadline(booking: Booking, *, manager: bool = False) -> datetime:
    """Until when the booking may be cancelled: the venue's deadline for the person, its start for a manager. The
    service refuses after it, and the pages offer the button only before it."""
    minutes = 0 if manager else booking.venue.cancel_deadline_minutes
    return booking.start - timedelta(minutes=minutes)


def booking_cancel(*, actor: User, booking: Booking) -> Booking:
    """The person until the venue's deadline; a venue manager of its area any time before the start. The freed
    time goes to the next on the waiting list (held for N minutes)."""
    now = timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        venue = booking.venue
        manager = booking.person_id != actor.pk and can_manage(actor, venue)
        if booking.person_id != actor.pk and not manager:
            raise NotFound(_("No booking with this id."))
        before = booking.status
        booking.status = _transition(booking, "cancel", workflow.MANAGER if manager else workflow.PERSON)
        deadline = cancel_deadline(booking, manager=manager)
        if now > deadline:
            raise ShequError(
                _("Bookings can be cancelled until %(when)s; contact the venue.")
                % {"when": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
                code="cancel_too_late",
                status=409,
            )
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at"])
        audit_record(
            action="booking.cancel",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"before": before, "after": booking.status}},
        )
        if manager:
            message_send(
                person=booking.person,
                kind="booking.cancelled",
                title=_("Your booking of %(venue)s was cancelled by the venue") % {"venue": venue.name},
                link="/me/bookings/",
            )
        from .draws import waitlist_offer_next

        waitlist_offer_next(venue=venue, start=booking.start, end=booking.end, now=now)
    return booking


def booking_decide(*, actor: User, booking: Booking, action: str) -> Booking:
    """approve / reject a booking that awaits approval, or check a person in at the desk (venue managers)."""
    if action not in ("approve", "reject", "check_in"):
        raise NotFound(_("Unknown action."))
    now = timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if not can_manage(actor, booking.venue):
            raise NotFound(_("No booking with this id."))
        before = booking.status
        booking.status = _transition(booking, action, workflow.MANAGER)
        fields = ["status"]
        if action == "check_in":
            _check_window(booking, now)
            booking.checked_in_at = now
            fields.append("checked_in_at")
        booking.save(update_fields=fields)
        audit_record(
            action=f"booking.{action.replace('_', '')}",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"before": before, "after": booking.status}},
        )
        if action in ("approve", "reject"):
            message_send(
                person=booking.person,
                kind=f"booking.{action}d" if action == "approve" else "booking.rejected",
                title=(
                    _("Your booking of %(venue)s is approved")
                    if action == "approve"
                    else _("Your booking of %(venue)s was not approved")
                )
                % {"venue": booking.venue.name},
                link="/me/bookings/",
            )
    return booking


# --- check-in by the venue's QR code ------------------------------------------------------------------------------
_SIGNER_SALT = "shequ.venues.checkin"


def checkin_token(venue: Venue) -> str:
    """What the venue's QR code carries: the venue and its current key, signed. Changing `checkin_key` (a new
    printout) voids the old codes."""
    return signing.Signer(salt=_SIGNER_SALT).sign(f"{venue.pk}.{venue.checkin_key}")


def venue_from_token(token: str) -> Venue:
    try:
        value = signing.Signer(salt=_SIGNER_SALT).unsign(token)
        pk, key = value.split(".", 1)
        return Venue.objects.select_related("facility", "area").get(
            pk=int(pk), checkin_key=key, is_active=True
        )
    except (signing.BadSignature, ValueError, Venue.DoesNotExist):
        raise ShequError(
            _("This check-in code is not valid. Scan the code posted at the venue."),
            code="bad_token",
            status=404,
        ) from None


def checkin_window(booking: Booking) -> tuple[datetime, datetime]:
    venue = booking.venue
    return (
        booking.start - timedelta(minutes=venue.checkin_opens_minutes),
        booking.start + timedelta(minutes=venue.release_after_minutes),
    )


def _check_window(booking: Booking, now: datetime) -> None:
    opens, closes = checkin_window(booking)
    if now < opens:
        raise ShequError(
            _("Check-in opens at %(when)s.") % {"when": timezone.localtime(opens).strftime("%H:%M")},
            code="checkin_too_early",
            status=409,
        )
    if now > closes:
        raise ShequError(
            _("Check-in closed at %(when)s.") % {"when": timezone.localtime(closes).strftime("%H:%M")},
            code="checkin_too_late",
            status=409,
        )


def booking_check_in(*, actor: User, token: str) -> Booking:
    """The person scans the venue's code: his booking there whose check-in window is open now is checked in."""
    venue = venue_from_token(token)
    now = timezone.now()
    with transaction.atomic():
        mine = list(
            Booking.objects.select_for_update()
            .filter(venue=venue, person=actor, status=BookingStatus.CONFIRMED)
            .filter(start__gte=now - timedelta(hours=12), start__lte=now + timedelta(hours=12))
            .order_by("start")
        )
        if not mine:
            raise ShequError(
                _("You have no booking at %(venue)s today to check in.") % {"venue": venue.name},
                code="no_booking",
                status=404,
            )
        for b in mine:
            b.venue = venue
            opens, closes = checkin_window(b)
            if opens <= now <= closes:
                booking = b
                break
        else:
            # The nearest one says why: too early or too late.
            nearest = min(mine, key=lambda b: abs((b.start - now).total_seconds()))
            nearest.venue = venue
            _check_window(nearest, now)
            raise AssertionError("unreachable: the window check refused")
        before = booking.status
        booking.status = _transition(booking, "check_in", workflow.PERSON)
        booking.checked_in_at = now
        booking.save(update_fields=["status", "checked_in_at"])
        audit_record(
            action="booking.checkin",
            actor=actor,
            obj=booking,
            object_repr=booking.audit_repr(),
            changes={"status": {"before": before, "after": booking.status}},
        )
    return booking


# --- no-shows, strikes, bans --------------------------------------------------------------------------------------
def ban_rule() -> BanRule:
    rule, _created = BanRule.objects.get_or_create(name="default")
    return rule


def bookings_release_no_shows(*, now: datetime | None = None) -> int:
    """Release confirmed bookings nobody checked in to within the venue's N minutes: a no-show, a strike, and a
    ban when the strikes reach the rule (default 3 in 30 days → 30 days). The beat runs this every minute."""
    now = now or timezone.now()
    rule = ban_rule()
    released = 0
    candidates = list(
        Booking.objects.filter(status=BookingStatus.CONFIRMED, start__lte=now)
        .select_related("venue")
        .values_list("pk", "start", "venue__release_after_minutes")
    )
    for pk, start, minutes in candidates:
        if start + timedelta(minutes=minutes) > now:
            continue
        with transaction.atomic():
            booking = Booking.objects.select_for_update().select_related("venue", "person").get(pk=pk)
            if booking.status != BookingStatus.CONFIRMED:
                continue
            booking.status = _transition(booking, "no_show", workflow.SYSTEM)
            booking.save(update_fields=["status"])
            Strike.objects.create(person=booking.person, booking=booking, at=now)
            audit_record(
                action="booking.noshow",
                actor_username="system",
                obj=booking,
                object_repr=booking.audit_repr(),
                changes={"status": {"before": BookingStatus.CONFIRMED, "after": booking.status}},
            )
            strikes = Strike.objects.filter(
                person=booking.person, at__gt=now - timedelta(days=rule.window_days)
            ).count()
            banned = strikes >= rule.strikes and active_ban(booking.person, now) is None
            if banned:
                until = now + timedelta(days=rule.ban_days)
                Ban.objects.create(
                    person=booking.person,
                    start=now,
                    until=until,
                    reason=f"{strikes} no-shows in {rule.window_days} days",
                )
                audit_record(
                    action="booking.ban",
                    actor_username="system",
                    object_type="accounts.user",
                    object_id=str(booking.person_id),
                    object_repr=f"user {booking.person_id} banned from booking",
                    changes={"until": {"after": until.isoformat()}},
                )
            message_send(
                person=booking.person,
                kind="booking.no_show",
                title=_("You did not check in at %(venue)s: the booking was released")
                % {"venue": booking.venue.name},
                body=(
                    _("You may not book until %(until)s.")
                    % {"until": timezone.localtime(now + timedelta(days=rule.ban_days)).strftime("%Y-%m-%d")}
                    if banned
                    else _("%(n)d no-shows within %(days)d days lead to a ban of %(ban)d days.")
                    % {"n": rule.strikes, "days": rule.window_days, "ban": rule.ban_days}
                ),
                link="/me/bookings/",
            )
            released += 1
    return released


# --- venues -------------------------------------------------------------------------------------------------------
# What a manager may change on a venue (its photos go through `photos_add` / `photos_remove`).
VENUE_FIELDS = (
    "facility",
    "name",
    "kind",
    "description",
    "capacity",
    "hours",
    "slot_mode",
    "slot_minutes",
    "price_cents",
    "price_unit",
    "who_may_book",
    "teams_may_book",
    "min_notice_minutes",
    "max_notice_days",
    "max_length_minutes",
    "needs_approval",
    "cancel_deadline_minutes",
    "checkin_opens_minutes",
    "release_after_minutes",
    "hold_minutes",
    "is_active",
)
DAY_MINUTES = 24 * 60
MAX_PRICE_CENTS = 10_000_000  # 10 万元 a booking or an hour: beyond it, a typing error


def _refuse(field: str, code: str, message: str) -> ShequError:
    return ShequError(message, code="invalid_venue", fields={field: code})


def _within(venue: Venue, field: str, low: int, high: int, message: str) -> None:
    value = getattr(venue, field)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _refuse(field, "range", message)


def venue_check(venue: Venue) -> None:
    """Refuse, with a sentence for the person, what the database's constraints would refuse and what would make
    the venue unbookable (a minimum notice beyond the booking window, a slot longer than a day …). The first
    problem found, named by its field, so that a refused form writes nothing and says why."""
    venue.name = (venue.name or "").strip()
    venue.description = (venue.description or "").strip()
    if not venue.name:
        raise _refuse("name", "required", _("Give the venue a name."))
    if len(venue.name) > 120:
        raise _refuse("name", "too_long", _("A venue's name is at most 120 characters."))
    if len(venue.description) > 300:
        raise _refuse("description", "too_long", _("The description is at most 300 characters."))
    for field, choices in (
        ("kind", VenueKind),
        ("slot_mode", SlotMode),
        ("price_unit", PriceUnit),
        ("who_may_book", WhoMayBook),
    ):
        if getattr(venue, field) not in choices.values:
            raise _refuse(field, "choice", _("Choose one of the options."))
    _within(venue, "capacity", 1, 100_000, _("The capacity is at least 1 person."))
    _within(
        venue, "slot_minutes", 15, DAY_MINUTES, _("A slot is at least 15 minutes long and at most a day.")
    )
    if not isinstance(venue.max_length_minutes, int) or venue.max_length_minutes < venue.slot_minutes:
        raise _refuse(
            "max_length_minutes",
            "below_slot",
            _("The longest booking must hold at least one slot (%(n)d minutes).") % {"n": venue.slot_minutes},
        )
    _within(
        venue,
        "max_length_minutes",
        15,
        DAY_MINUTES,
        _("The longest booking is at most a day (1440 minutes)."),
    )
    _within(venue, "price_cents", 0, MAX_PRICE_CENTS, _("The price is between 0 and 100,000 yuan."))
    _within(venue, "max_notice_days", 1, 365, _("Bookings open between 1 and 365 days ahead."))
    window = venue.max_notice_days * DAY_MINUTES
    _within(
        venue,
        "min_notice_minutes",
        0,
        window - 1,
        _("The minimum notice must be shorter than the booking window (%(days)d days).")
        % {"days": venue.max_notice_days},
    )
    _within(
        venue,
        "cancel_deadline_minutes",
        0,
        window,
        _("Cancelling closes between 0 minutes and %(days)d days before the start.")
        % {"days": venue.max_notice_days},
    )
    _within(venue, "checkin_opens_minutes", 0, DAY_MINUTES, _("Check-in opens at most a day before."))
    _within(
        venue,
        "release_after_minutes",
        1,
        venue.slot_minutes,
        _("An unclaimed booking is released between 1 minute and one slot (%(n)d minutes) after its start.")
        % {"n": venue.slot_minutes},
    )
    _within(venue, "hold_minutes", 1, DAY_MINUTES, _("A freed slot is held between 1 minute and a day."))


def _clean_photos(uploads: Sequence) -> list[CleanImage]:
    # Every photo is checked and re-encoded before anything is stored: a bad second photo leaves nothing behind.
    return [venue_photos.photo_clean(upload) for upload in uploads]


def venue_create(*, actor: User | None, photos: Sequence = (), **fields) -> Venue:
    """A venue of a facility; its area is the facility's. Staff need venues.manage over that area. `photos`: up
    to six uploads, checked and re-encoded (shequ.venues.photos)."""
    facility = fields["facility"]
    if actor is not None and not can_at(actor, Action.VENUES_MANAGE, facility.area.path):
        raise NotFound(_("No facility with this id."))
    venue = Venue(area=facility.area, **fields)
    venue_check(venue)
    if len(photos) > venue_photos.MAX_PHOTOS:
        raise venue_photos.too_many()
    images = _clean_photos(photos)
    stored: list[str] = []
    try:
        with transaction.atomic():
            stored = [venue_photos.photo_store(image) for image in images]
            venue.photos = [*(venue.photos or []), *stored]
            venue.save()
            audit_record(
                action="venue.create",
                actor=actor,
                actor_username="" if actor else "system",
                obj=venue,
                object_repr=venue.name,
                changes={"photos": {"after": len(stored)}} if stored else None,
            )
    except BaseException:
        for name in stored:
            venue_photos.photo_delete(name)
        raise
    return venue


def _plain(value):
    """A field's value as the audit trail keeps it."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | dict | bool | int) or value is None:
        return value
    return str(value)


def venue_update(
    *,
    actor: User | None,
    venue: Venue,
    photos_add: Sequence = (),
    photos_remove: Sequence[str] = (),
    **fields,
) -> Venue:
    """Change a venue's fields and photos; the audit keeps each changed field before and after. Staff need
    venues.manage over the venue's area, and over the new facility's when it moves (else 404, as if missing)."""
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"venue_update does not change {sorted(unknown)}")
    if actor is not None and not can_manage(actor, venue):
        raise NotFound(_("No venue with this id."))
    facility = fields.get("facility")
    if (
        facility is not None
        and actor is not None
        and not can_at(actor, Action.VENUES_MANAGE, facility.area.path)
    ):
        raise NotFound(_("No facility with this id."))
    images = _clean_photos(photos_add)
    stored: list[str] = []
    removed: list[str] = []
    try:
        with transaction.atomic():
            # Lock the row: two managers saving at once would each write over the other's change unseen.
            locked = Venue.objects.select_for_update().select_related("facility", "area").get(pk=venue.pk)
            names = [*fields, "photos"]
            before = {k: _plain(getattr(locked, k)) for k in names}
            for k, v in fields.items():
                setattr(locked, k, v)
            if facility is not None:
                locked.area = facility.area
            venue_check(locked)
            kept = [p for p in locked.photos or [] if p not in set(photos_remove)]
            removed = [p for p in locked.photos or [] if p not in kept]
            if len(kept) + len(images) > venue_photos.MAX_PHOTOS:
                raise venue_photos.too_many()
            stored = [venue_photos.photo_store(image) for image in images]
            locked.photos = [*kept, *stored]
            after = {k: _plain(getattr(locked, k)) for k in names}
            if facility is not None:
                before["area"], after["area"] = venue.area_id, locked.area_id
            changes = {k: {"before": before[k], "after": after[k]} for k in before if before[k] != after[k]}
            if changes:
                locked.save()
                audit_record(
                    action="venue.update",
                    actor=actor,
                    actor_username="" if actor else "system",
                    obj=locked,
                    object_repr=locked.name,
                    changes=changes,
                )
                # A removed photo's file goes once the venue no longer lists it (a rollback keeps both).
                for name in removed:
                    transaction.on_commit(partial(venue_photos.photo_delete, name))
    except BaseException:
        for name in stored:
            venue_photos.photo_delete(name)
        raise
    return locked


def team_create(*, actor: User | None, name: str, area: Area, leader: User, synthetic: bool = False) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name, area=area, leader=leader, synthetic=synthetic)
        team.members.add(leader)
        audit_record(
            action="team.create",
            actor=actor,
            actor_username="" if actor else "system",
            obj=team,
            object_repr=name,
        )
    return team
