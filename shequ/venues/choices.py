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


# --- 托 places (issue 25 item 4) ----------------------------------------------------------------------------------
class CareKind(models.TextChoices):
    ELDER = "elder", _("Elder day care")
    INFANT = "infant", _("Infant care")


class CareSession(models.TextChoices):
    """How a day of care is booked (专栏3: 全日托、半日托、计时托、临时托)."""

    FULL_DAY = "full_day", _("Full day")
    HALF_DAY = "half_day", _("Half day")
    HOURLY = "hourly", _("By the hour")
    TEMPORARY = "temporary", _("Short notice")


class HalfDay(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")


class AgeBand(models.TextChoices):
    """Infant classes by age (托育机构设置标准: 乳儿班 6–12 months, 托小班 12–24, 托大班 24–36)."""

    BABY = "6_12", _("6 to 12 months")
    TODDLER = "12_24", _("12 to 24 months")
    NURSERY = "24_36", _("24 to 36 months")


# Age band → [min, max) months of age on the day of care.
AGE_BAND_MONTHS = {AgeBand.BABY: (6, 12), AgeBand.TODDLER: (12, 24), AgeBand.NURSERY: (24, 36)}


class CareLevel(models.IntegerChoices):
    """An elder's assessed level (老年人能力评估规范 GB/T 42195-2022): 0 able … 4 fully dependent."""

    ABLE = 0, _("Able")
    MILD = 1, _("Mildly dependent")
    MODERATE = 2, _("Moderately dependent")
    SEVERE = 3, _("Severely dependent")
    FULL = 4, _("Fully dependent")


class CareStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")


# A care booking in one of these takes a place of its day.
CARE_HOLDING = (CareStatus.BOOKED, CareStatus.CHECKED_IN)
CARE_BADGE = {
    CareStatus.BOOKED: "primary",
    CareStatus.CHECKED_IN: "success",
    CareStatus.CANCELLED: "secondary",
}
