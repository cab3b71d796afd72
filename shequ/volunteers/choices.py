"""Statuses, kinds, labels and colours of volunteer service, defined once (STYLE.md §9), and the defaults loaded as
data (skills, star levels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Under 18 (未成年人): a guardian's consent, and only group activities (《志愿服务条例》 Art. 16; 志愿深圳).
ADULT_AGE = 18


class VolunteerStatus(models.TextChoices):
    PREPARATORY = (
        "preparatory",
        _("Preparatory volunteer"),
    )  # 预备志愿者: registered, no training or hours yet
    FORMAL = "formal", _("Registered volunteer")  # 正式志愿者: after training or first confirmed hours
    SUSPENDED = "suspended", _("Suspended")


class TeamKind(models.TextChoices):
    COMMUNITY = "community", _("Community volunteer team")
    SOCIAL_ORG = "social_org", _("Social organisation")
    UNIT = "unit", _("Volunteer team of a unit")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PENDING = "pending", _("Awaiting approval")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    REFUSED = "refused", _("Not accepted")


# A sign-up that still holds (or waits for) a place: one per person and shift.
LIVE_SIGNUPS = (SignupStatus.CONFIRMED, SignupStatus.PENDING, SignupStatus.WAITLISTED)
SIGNUP_BADGES = {
    SignupStatus.CONFIRMED: "success",
    SignupStatus.PENDING: "warning",
    SignupStatus.WAITLISTED: "info",
    SignupStatus.CANCELLED: "secondary",
    SignupStatus.REFUSED: "danger",
}


class CheckMethod(models.TextChoices):
    QR = "qr", _("QR code")
    ROSTER = "roster", _("Organiser's roster")


# At most this many check-in/check-out pairs per person, activity and day (志愿深圳's rule).
MAX_PAIRS_PER_DAY = 3


class HoursKind(models.TextChoices):
    ATTENDANCE = "attendance", _("Checked in and out")
    MAKEUP = "makeup", _("Recorded afterwards (补录)")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
    REJECTED = "rejected", _("Not confirmed")


HOURS_BADGES = {
    HoursStatus.PENDING: "warning",
    HoursStatus.CONFIRMED: "success",
    HoursStatus.DISPUTED: "danger",
    HoursStatus.REJECTED: "secondary",
}


class RecordKind(models.TextChoices):
    """What else MCA order 67 (《志愿服务记录与证明出具办法》 Art. 6) puts in a volunteer's record."""

    TRAINING = "training", _("Training")
    AWARD = "award", _("Award")
    EVALUATION = "evaluation", _("Evaluation")


# Availability: 7 days × 3 parts of the day, one bit each (bit = weekday * 3 + part), so that matching "free on
# Saturday morning" is one bitwise AND in the query on both databases.
DAY_PARTS = (
    ("am", _("morning"), 6, 12),
    ("pm", _("afternoon"), 12, 18),
    ("eve", _("evening"), 18, 22),
)
WEEKDAY_NAMES = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_SLOTS = (1 << 21) - 1


def slot_bit(weekday: int, part: int) -> int:
    return 1 << (weekday * 3 + part)


def slot_key(weekday: int, part: int) -> str:
    return f"{WEEKDAY_KEYS[weekday]}_{DAY_PARTS[part][0]}"


def availability_from_keys(keys) -> int:
    """["sat_am", "sun_pm"] → the bitmask; unknown keys raise ValueError."""
    mask = 0
    for key in keys:
        day, _sep, part = str(key).partition("_")
        try:
            mask |= slot_bit(WEEKDAY_KEYS.index(day), [p[0] for p in DAY_PARTS].index(part))
        except ValueError:
            raise ValueError(key) from None
    return mask


def availability_keys(mask: int) -> list[str]:
    return [slot_key(d, p) for d in range(7) for p in range(3) if mask & slot_bit(d, p)]


def slot_of(hour: int) -> int | None:
    """The part of the day an hour falls in (None at night)."""
    for i, (_key, _label, start, end) in enumerate(DAY_PARTS):
        if start <= hour < end:
            return i
    return None


# The default skills (data, migration 0002): code, name, sort.
DEFAULT_SKILLS = [
    ("elder_care", "助老服务", 10),
    ("first_aid", "应急救护", 20),
    ("tutoring", "课业辅导", 30),
    ("repair", "便民维修", 40),
    ("medical", "医疗护理", 50),
    ("legal", "法律咨询", 60),
    ("counselling", "心理疏导", 70),
    ("translation", "外语翻译", 80),
    ("driving", "驾驶", 90),
    ("arts", "文艺表演", 100),
    ("environment", "环境保护", 110),
    ("digital", "智能手机教学", 120),
]

# 志愿深圳's star levels (星级志愿者): confirmed hours over the last two years. Data (migration 0002).
DEFAULT_STARS = [(1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500)]
STAR_WINDOW_DAYS = 730

# The plan's targets by 2025 (issue 24, from 专栏2/3): registered volunteers per 10,000 residents, stations city-wide.
TARGET_VOLUNTEERS_PER_10K = 2500
TARGET_STATIONS = 1000
# A volunteer is "active" with confirmed hours in the last year.
ACTIVE_DAYS = 365
