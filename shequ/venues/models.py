"""Venues and bookings (plan 4.1 预订平台; 3.2 school grounds and units' rooms opened to residents).

A venue is a bookable space of a facility (an activity room of the 党群服务中心, a court, a hall, a school ground
after hours, a unit's meeting room). Its opening hours are the facility's (`facilities.hours`, holidays included)
unless it keeps its own. Prices, rules and quotas are data on rows, not code.

Never two bookings of one place at one time: on PostgreSQL an exclusion constraint over the booking's time range
(migration 0002, PostgreSQL only); on SQLite every transaction takes the database's write lock at BEGIN
(settings: transaction_mode IMMEDIATE), so the overlap check and the insert inside one transaction cannot
interleave with another booking's.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shequ.facilities.models import Facility
from shequ.geo.models import Area

from .choices import (
    CARE_HOLDING,
    HOLDING,
    AgeBand,
    BookingStatus,
    CareKind,
    CareLevel,
    CareSession,
    CareStatus,
    HalfDay,
    PriceUnit,
    QuotaHolder,
    QuotaMeasure,
    QuotaPeriod,
    SlotMode,
    VenueKind,
    WhoMayBook,
)


def _checkin_key() -> str:
    return secrets.token_urlsafe(12)


class Venue(models.Model):
    """A bookable space attached to a facility, with its layout, capacity, price and booking rules as data."""

    scope_path_field = "area__path"

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="+"
    )
    # The facility's area, kept here for scoping (one prefix filter) and the use per area.
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=VenueKind.choices, default=VenueKind.ROOM)
    description = models.CharField(_("description"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), default=20)
    photos = models.JSONField(_("photos"), default=list, blank=True)
    # Empty: the facility's hours. A school ground keeps its own (after school hours only).
    hours = models.JSONField(_("own opening hours"), default=dict, blank=True)
    slot_mode = models.CharField(_("layout"), max_length=10, choices=SlotMode.choices, default=SlotMode.SLOTS)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=60)
    price_cents = models.PositiveIntegerField(_("price (fen)"), default=0)
    price_unit = models.CharField(
        _("price unit"), max_length=10, choices=PriceUnit.choices, default=PriceUnit.PER_HOUR
    )
    # --- rules ---
    who_may_book = models.CharField(
        _("who may book"), max_length=12, choices=WhoMayBook.choices, default=WhoMayBook.STREET
    )
    teams_may_book = models.BooleanField(_("teams may book"), default=True)
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=30)
    max_notice_days = models.PositiveSmallIntegerField(_("maximum notice (days)"), default=14)
    max_length_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=120)
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    cancel_deadline_minutes = models.PositiveIntegerField(_("cancel until (minutes before)"), default=120)
    checkin_opens_minutes = models.PositiveSmallIntegerField(_("check-in opens (minutes before)"), default=15)
    release_after_minutes = models.PositiveSmallIntegerField(
        _("released without check-in after (minutes)"), default=15
    )
    hold_minutes = models.PositiveSmallIntegerField(_("a freed slot is held for (minutes)"), default=30)
    checkin_key = models.CharField(max_length=40, default=_checkin_key, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["area__path", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=15), name="venues_slot_min_15"),
            models.CheckConstraint(
                condition=models.Q(max_length_minutes__gte=models.F("slot_minutes")),
                name="venues_max_length_holds_a_slot",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price_text(self) -> str:
        if not self.price_cents:
            return gettext("Free")
        return gettext("%(yuan)s yuan %(unit)s") % {
            "yuan": f"{self.price_cents / 100:g}",
            "unit": self.get_price_unit_display(),
        }


class VenueQuota(models.Model):
    """A quota of a venue: per person or per team, per day, week or month, in hours or bookings."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="quotas")
    holder = models.CharField(_("holder"), max_length=10, choices=QuotaHolder.choices)
    period = models.CharField(_("period"), max_length=10, choices=QuotaPeriod.choices)
    measure = models.CharField(_("measure"), max_length=10, choices=QuotaMeasure.choices)
    limit = models.PositiveIntegerField(_("limit"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "holder", "period", "measure"], name="venues_quota_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.holder} {self.period} {self.measure} {self.limit}"


class BanRule(models.Model):
    """No-shows and bans as data (文体通: three no-shows in 30 days → 30 days without booking). One row, `default`."""

    name = models.SlugField(max_length=30, unique=True, default="default")
    strikes = models.PositiveSmallIntegerField(_("no-shows"), default=3)
    window_days = models.PositiveSmallIntegerField(_("within (days)"), default=30)
    ban_days = models.PositiveSmallIntegerField(_("ban (days)"), default=30)

    class Meta:
        verbose_name = _("no-show rule")
        verbose_name_plural = _("no-show rules")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A residents' team or organisation that books as a group (a dance troupe, a choir, a club), led by one person."""

    name = models.CharField(_("name"), max_length=80)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A team's recurring booking: the same time every week for a number of weeks, booked all or nothing."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="series")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_start = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    weeks = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")

    def __str__(self) -> str:
        return f"series {self.pk}"


class Booking(models.Model):
    """One booking of a venue for [start, end). Only the services set `status` (workflow.py)."""

    scope_path_field = "venue__area__path"
    scope_owner_field = "person"

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="bookings"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices)
    people = models.PositiveIntegerField(_("people"), default=1)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    price_cents = models.PositiveIntegerField(_("price (fen)"), default=0)
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["venue", "start"], name="venues_booking_venue_start"),
            models.Index(fields=["person", "start"], name="venues_booking_person_start"),
            # The auto-release scan: confirmed bookings by start.
            models.Index(
                fields=["start"],
                name="venues_booking_release_scan",
                condition=models.Q(status=BookingStatus.CONFIRMED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="venues_booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=BookingStatus.values), name="venues_booking_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.start:%Y-%m-%d %H:%M}"

    def audit_repr(self) -> str:
        return f"booking {self.pk} of venue {self.venue_id}"

    @property
    def holds(self) -> bool:
        return self.status in HOLDING


class Strike(models.Model):
    """A no-show counted against a person (the booking auto-released without check-in)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="strike")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "at"], name="venues_strike_person_at")]

    def __str__(self) -> str:
        return f"strike {self.pk}"


class Ban(models.Model):
    """A person may not book until `until` (reached the no-show rule)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    until = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "until"], name="venues_ban_person_until")]

    def __str__(self) -> str:
        return f"ban {self.pk}"


class DrawStatus(models.TextChoices):
    OPEN = "open", _("Taking applications")
    DRAWN = "drawn", _("Drawn")


class Draw(models.Model):
    """A popular slot that opens by a draw at `draw_at` among those who applied (shequ.venues.draws): weighted
    toward applicants who lost recent draws, reproducible from the recorded `seed`, its result published."""

    scope_path_field = "venue__area__path"

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="draws")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    draw_at = models.DateTimeField(_("drawn at"))
    status = models.CharField(max_length=10, choices=DrawStatus.choices, default=DrawStatus.OPEN)
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    # The published result: the seed, every entry's weight and rank (names masked).
    result = models.JSONField(default=dict, blank=True)
    booking = models.OneToOneField(Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["draw_at", "pk"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        indexes = [
            models.Index(fields=["draw_at"], name="venues_draw_due", condition=models.Q(status="open")),
        ]

    def __str__(self) -> str:
        return f"draw {self.pk}"


class DrawEntry(models.Model):
    """One person's application to a draw; weight and rank are written when it is drawn."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)
    weight = models.PositiveSmallIntegerField(null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    won = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["draw", "person"], name="venues_one_entry_per_draw")]
        indexes = [models.Index(fields=["person", "won"], name="venues_entry_person_won")]

    def __str__(self) -> str:
        return f"entry {self.pk}"


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered, held for you")
    BOOKED = "booked", _("Booked")
    LAPSED = "lapsed", _("Offer lapsed")
    LEFT = "left", _("Left the list")


class WaitlistEntry(models.Model):
    """A place in the queue for a taken slot: when it frees, the first waiting person is offered it, held for the
    venue's N minutes, then the next."""

    scope_owner_field = "person"

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Order in the queue: the draw's rank for those who lost it, else after everyone by time of joining.
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=WaitStatus.choices, default=WaitStatus.WAITING)
    offer = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="wait"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "start", "person"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="venues_wait_once",
            )
        ]
        indexes = [models.Index(fields=["venue", "start", "status"], name="venues_wait_slot")]

    def __str__(self) -> str:
        return f"wait {self.pk}"


class ActivityKind(models.TextChoices):
    EVENT = "event", _("Community event")
    COURSE = "course", _("Course")


class Activity(models.Model):
    """A community event (周周有活动、月月有赛事) or a course of the community school or the elders' university
    (社区学校、老年大学): capacity, sign-up with a waiting list, sessions, attendance by QR code.

    `taken` counts confirmed places: a sign-up takes one by a conditional UPDATE (taken < capacity), so the database
    decides who gets the last place; the check constraint keeps it from ever going over."""

    scope_path_field = "area__path"

    kind = models.CharField(
        _("kind"), max_length=10, choices=ActivityKind.choices, default=ActivityKind.EVENT
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    organiser = models.CharField(_("organiser"), max_length=120, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(default=0, editable=False)
    open_to_city = models.BooleanField(_("open to the whole city"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    first_start = models.DateTimeField(_("first session"), db_index=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_start", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")), name="venues_activity_not_over"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """One meeting of an activity (an event has one; a course has its weekly lessons)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reminded = models.BooleanField(default=False)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["start"], name="venues_session_remind", condition=models.Q(reminded=False))
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="venues_session_end")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.start:%Y-%m-%d %H:%M}"


class EnrolStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Signed up")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Enrolment(models.Model):
    """A person's sign-up to an event or enrolment in a course."""

    scope_owner_field = "person"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=EnrolStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=~models.Q(status="cancelled"),
                name="venues_enrol_once",
            )
        ]

    def __str__(self) -> str:
        return f"enrolment {self.pk}"


class Attendance(models.Model):
    """Attendance at one session, by the activity's QR code (or marked by the organiser)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="venues_attend_once")]

    def __str__(self) -> str:
        return f"attendance {self.pk}"


# --- 托 places (issue 25 item 4) ----------------------------------------------------------------------------------
def _all_sessions() -> list[str]:
    return list(CareSession.values)


class CarePlace(models.Model):
    """A 托 place of a facility (专栏3 items 2–3): elder day care at a 长者服务站 or an infant class (0–3 years, one
    age band) at a 托育机构, booked by the session (全日托, 半日托, 计时托, 临时托) for a family member who fits it.

    `capacity` is the number of people cared for on one day; each booking of the day, whatever its session, takes
    one (CareDay counts them, the database refuses the one too many)."""

    scope_path_field = "area__path"

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=CareKind.choices)
    age_band = models.CharField(_("age band"), max_length=6, choices=AgeBand.choices, blank=True)
    max_care_level = models.PositiveSmallIntegerField(
        _("cares for up to"), choices=CareLevel.choices, default=CareLevel.MODERATE
    )
    capacity = models.PositiveIntegerField(_("places a day"))
    sessions = models.JSONField(_("sessions offered"), default=_all_sessions)
    noon = models.TimeField(_("half days change at"), default=time(12, 0))
    max_hours = models.PositiveSmallIntegerField(_("longest stay by the hour"), default=4)
    max_notice_days = models.PositiveSmallIntegerField(_("maximum notice (days)"), default=14)
    who_may_book = models.CharField(
        _("who may book"), max_length=12, choices=WhoMayBook.choices, default=WhoMayBook.STREET
    )
    fee_note = models.CharField(_("fees"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area__path", "name", "pk"]
        verbose_name = _("care place")
        verbose_name_plural = _("care places")
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="venues_care_capacity_1"),
            models.CheckConstraint(
                condition=models.Q(kind=CareKind.ELDER, age_band="")
                | models.Q(kind=CareKind.INFANT) & ~models.Q(age_band=""),
                name="venues_care_band_for_infants",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CareMember(models.Model):
    """A person a family books care for: an elder (with the assessed care level) or a child under three (birth
    date). Kept by the family member who added him; seen by the place's manager only through a booking, masked."""

    scope_owner_field = "family"

    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("family"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=40)
    relation = models.CharField(_("relation"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CareKind.choices)
    birth_date = models.DateField(_("birth date"))
    care_level = models.PositiveSmallIntegerField(
        _("care level"), choices=CareLevel.choices, null=True, blank=True
    )
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("person cared for")
        verbose_name_plural = _("people cared for")

    def __str__(self) -> str:
        return self.name

    def audit_repr(self) -> str:
        return f"care member {self.pk}"


class CareDay(models.Model):
    """The places of one care place on one day: `taken` rises by a conditional UPDATE (taken < capacity), so the
    database decides who gets the last place; the check constraint keeps it within capacity whatever the writer."""

    place = models.ForeignKey(CarePlace, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    capacity = models.PositiveIntegerField()
    taken = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "day"], name="venues_care_day_once"),
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")), name="venues_care_day_not_over"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_id} {self.day}"


class CareBooking(models.Model):
    """One session of care booked by a family for one person on one day. Only shequ.venues.care sets `status`."""

    scope_path_field = "place__area__path"
    scope_owner_field = "family"

    place = models.ForeignKey(
        CarePlace, verbose_name=_("care place"), on_delete=models.PROTECT, related_name="bookings"
    )
    member = models.ForeignKey(
        CareMember, verbose_name=_("cared for"), on_delete=models.PROTECT, related_name="+"
    )
    family = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    session = models.CharField(
        pgettext_lazy("care booking", "session"), max_length=10, choices=CareSession.choices
    )
    half = models.CharField(_("half day"), max_length=2, choices=HalfDay.choices, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=12, choices=CareStatus.choices, default=CareStatus.BOOKED
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["day", "start", "pk"]
        verbose_name = _("care booking")
        verbose_name_plural = _("care bookings")
        indexes = [models.Index(fields=["place", "day"], name="venues_care_place_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="venues_care_end"),
            # One person is cared for once a day: a second booking for him that day is refused by the database.
            models.UniqueConstraint(
                fields=["member", "day"],
                condition=models.Q(status__in=CARE_HOLDING),
                name="venues_care_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.day}"

    def audit_repr(self) -> str:
        return f"care booking {self.pk} at place {self.place_id}"
