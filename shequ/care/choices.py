"""Statuses, kinds and labels of care, defined once (STYLE.md §9) for pages, API and exports."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The special groups of issue 28 beyond residents' defaults (residents migration 0002), added by care's 0002.
# (code, name): 低保/低边/特困/残疾/独居老人/留守儿童 already exist in residents.
CARE_TAGS = [
    ("empty_nest", "空巢老人"),
    ("very_old", "高龄独居"),
    ("child_in_difficulty", "困境儿童"),
    ("veteran_in_difficulty", "困难退役军人"),
    ("released_prisoner", "刑满释放人员"),
    ("community_correction", "社区矫正对象"),
    ("severe_mental", "严重精神障碍患者"),
]
# The tags that make the registry of people in difficulty (PIPL sensitive: care.groups_view only).
SPECIAL_GROUP_CODES = [
    "dibao",
    "low_income_edge",
    "tekun",
    "disabled",
    "elderly_alone",
    "left_behind_child",
    *[c for c, _ in CARE_TAGS],
]
ELDER_CODES = ("elderly_alone", "empty_nest", "very_old")


class Source(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs records")
    DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation")
    GRID_VISIT = "grid_visit", _("Grid worker's visit")
    SELF_DECLARED = "self_declared", _("Declared by the person")
    JUSTICE = "justice", _("Justice bureau")
    HEALTH = "health", _("Health bureau")


class DiscoveryKind(models.TextChoices):
    NO_VISIT = "no_visit", _("Elder living alone not visited")
    MISSED_BOOKING = "missed_booking", _("Missed care booking")
    REPEATED_APPEALS = "repeated_appeals", _("Repeated appeals")
    EARLY_WARNING = "early_warning", _("Early warning")
    GRID_REPORT = "grid_report", _("Grid worker's report")
    UTILITY = "utility", _("No water used")


class DiscoveryStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("care discovery", "Awaiting a decision")
    CASE = "case", _("Case opened")
    DISMISSED = "dismissed", pgettext_lazy("care discovery", "Dismissed")


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSESSED = "assessed", _("Assessed")
    SERVING = "serving", _("Serving")
    REVIEWING = "reviewing", _("Under review")
    CLOSED = "closed", pgettext_lazy("care case", "Closed")


class EventKind(models.TextChoices):
    REPORT = "report", _("Reported")
    ASSESS = "assess", _("Needs assessed")
    PLAN = "plan", _("Service plan")
    VISIT = "visit", _("Visit")
    SERVICE = "service", _("Service")
    REFER = "refer", _("Referral")
    REVIEW = "review", _("Review")
    RESUME = "resume", _("Service resumed")
    CLOSE = "close", pgettext_lazy("care case", "Closed")
    SUPERVISE = "supervise", pgettext_lazy("care case", "Supervision")


class Need(models.TextChoices):
    """The needs assessment form's domains (需求评估)."""

    LIVING = "living", _("Daily living")
    HEALTH = "health", _("Health")
    INCOME = "income", _("Income")
    HOUSING = "housing", _("Housing")
    FAMILY = "family", _("Family and care")
    SAFETY = "safety", _("Safety")


class NeedLevel(models.TextChoices):
    NONE = "0", _("No need")
    SOME = "1", _("Some need")
    HIGH = "2", _("High need")


class ReferralKind(models.TextChoices):
    ASSISTANCE = "assistance", _("Social assistance")
    HEALTH = "health", _("Health")
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education")
    CHILD_PROTECTION = "child_protection", _("Child protection")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")


class OrderKind(models.TextChoices):
    MEAL = "meal", _("Meals")
    BATHING = "bathing", _("Bathing")
    ESCORT = "escort", _("Medical escort")
    HOME_VISIT = "home_visit", _("Home visit")


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


def _sections():
    from shequ.accounts.roles import Action

    return [
        (Action.CARE_REPORT, "care:home", _("Care for people in difficulty")),
        (Action.CARE_REFERRALS, "care:referrals", _("Care referrals")),
        (Action.CARE_SUPERVISE, "care:supervision", _("Social-work supervision")),
    ]


# The console home's entries (shequ/web/console.py), one per role family that works here.
CONSOLE_SECTIONS = _sections()
