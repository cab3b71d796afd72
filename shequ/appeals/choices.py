"""Statuses, channels, urgencies, ratings: defined once, with labels and badge colours (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED_FOR = "signed_for", _("Signed for")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


STATUS_BADGE = {
    Status.SUBMITTED: "secondary",
    Status.DISPATCHED: "info",
    Status.SIGNED_FOR: "primary",
    Status.IN_PROGRESS: "primary",
    Status.REPLIED: "warning",
    Status.EVALUATED: "success",
    Status.CLOSED: "success",
    Status.REJECTED: "dark",
    Status.MERGED: "light",
}
# Appeals still waiting on the platform: the deadline scan and the queues look only at these.
OPEN_STATUSES = (Status.SUBMITTED, Status.DISPATCHED, Status.SIGNED_FOR, Status.IN_PROGRESS)
HANDLING_STATUSES = (Status.DISPATCHED, Status.SIGNED_FOR, Status.IN_PROGRESS)
# Supervision (督办) follows an appeal until its reply.
SUPERVISED_STATUSES = (*OPEN_STATUSES, Status.REPLIED)
FINAL_STATUSES = (Status.CLOSED, Status.REJECTED, Status.MERGED)


class Channel(models.TextChoices):
    PORTAL = "portal", _("Resident portal")
    HOTLINE = "hotline", _("12345 hotline")
    GRID = "grid", _("Grid patrol")
    PROACTIVE = "proactive", _("Proactive (未诉先办)")
    OPEN311 = "open311", _("Open311 partner system")
    API = "api", _("API")


# Channels on which staff record an appeal for someone else (appeals.services.appeal_submit checks the role). Only
# there may the urgency be chosen: a dispatcher on the 12345 line judges it; on every other channel it follows from
# the category and the safety words of the text (appeals.urgency), so a resident cannot jump the queue.
STAFF_CHANNELS = (Channel.HOTLINE, Channel.GRID, Channel.PROACTIVE)


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    UTILITIES = "utilities", _("Water, power, gas")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class LocationPrecision(models.TextChoices):
    """How precisely intake placed the appeal (appeals.location.resolve)."""

    AREA = "area", _("the area given")
    DISTRICT = "district", _("district, from the point")
    CITY = "city", _("city only")


# Reply deadlines by urgency (Beijing draft DB11 standard; Shenzhen: emergencies within 2 hours). Emergency and
# utilities run on the clock (people are in danger or without water); normal and complex on working days.
DEFAULT_REPLY = {
    Urgency.EMERGENCY: {"hours": 2, "working": False},
    Urgency.UTILITIES: {"hours": 24, "working": False},
    Urgency.NORMAL: {"days": 7, "working": True},
    Urgency.COMPLEX: {"days": 15, "working": True},
}
CONTACT_HOURS = 24  # the handling unit contacts the requester within 24 h (民意速办)
EMERGENCY_DISPATCH_MINUTES = 20


class Rating(models.IntegerChoices):
    """政务服务"好差评" five levels; the last two are 差评."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


BAD_RATINGS = (Rating.DISSATISFIED, Rating.VERY_DISSATISFIED)
SATISFIED_RATINGS = (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit (主办)")
    CO = "co", _("Co-handling unit (协办)")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")  # the unit returned or answered the appeal before a decision


# The reply deadline's state (schemas.deadline_state) as a badge colour, the same on every page and export.
DEADLINE_BADGE = {"green": "success", "yellow": "warning", "red": "danger", "none": "secondary"}
# ... and in words, for exports and screen readers (issue 21: never "green" in a resident's or leader's file).
DEADLINE_LABELS = {
    "green": _("On time"),
    "yellow": _("Due soon"),
    "red": _("Overdue"),
    "none": _("No deadline running"),
}
