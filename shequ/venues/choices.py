"""Kinds, rules' options and statuses of venues and bookings, defined once (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VenueKind(models.TextChoices):
    ROOM = "room", _("Activity room")
    COURT = "court", _("Court")
    HALL = "hall", _("Hall")
    SCHOOL_GROUND = "school_ground", _("School ground after hours")
    UNIT_ROOM = "unit_room", _("Meeting room of a unit")


class SlotMode(models.TextChoices):
    """How a day is cut: fixed slots of `slot_minutes` from opening, or free times on that grid."""

    SLOTS = "slots", _("Fixed slots")
    FREE = "free", _("Free times")


class WhoMayBook(models.TextChoices):
    COMMUNITY = "community", _("Residents of the community")
    STREET = "street", _("Residents of the street")
    CITY = "city", _("Everyone in the city")


class PriceUnit(models.TextChoices):
    PER_HOUR = "hour", _("per hour")
    PER_BOOKING = "booking", _("per booking")


class QuotaHolder(models.TextChoices):
    PERSON = "person", _("per person")
    TEAM = "team", _("per team")


class QuotaPeriod(models.TextChoices):
    DAY = "day", _("a day")
    WEEK = "week", _("a week")
    MONTH = "month", _("a month")


class QuotaMeasure(models.TextChoices):
    HOURS = "hours", _("hours")
    BOOKINGS = "bookings", _("bookings")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not approved")
    NO_SHOW = "no_show", _("No-show, released")
    OFFERED = "offered", _("Offered to you, held")
    LAPSED = "lapsed", _("Offer lapsed")


# A booking in one of these holds its place and time: the exclusion constraint (PostgreSQL) and the overlap check
# under the write lock (SQLite) count only these.
HOLDING = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.OFFERED)
# What counts against a quota: what was held, including a no-show (the place was kept from others).
COUNTED = (*HOLDING, BookingStatus.NO_SHOW)

BADGE = {
    BookingStatus.PENDING: "warning",
    BookingStatus.CONFIRMED: "primary",
    BookingStatus.CHECKED_IN: "success",
    BookingStatus.CANCELLED: "secondary",
    BookingStatus.REJECTED: "secondary",
    BookingStatus.NO_SHOW: "danger",
    BookingStatus.OFFERED: "info",
    BookingStatus.LAPSED: "secondary",
}
