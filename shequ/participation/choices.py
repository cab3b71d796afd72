"""Statuses, kinds and labels of the three lists (三项清单) and of deliberation (议事协商), defined once (STYLE.md §9),
and the shared taxonomy's default categories, loaded as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NeedSource(models.TextChoices):
    RESIDENT = "resident", _("Posted by a resident")
    SURVEY = "survey", _("From a survey")
    APPEALS = "appeals", _("From the month's top problems in appeals")
    GRID_VISIT = "grid_visit", _("From a grid visit")
    MEETING = "meeting", _("From a meeting's decision")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a match")
    MATCHED = "matched", _("Matched")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed without action")


NEED_BADGES: dict[str, str] = {
    NeedStatus.OPEN: "warning",
    NeedStatus.MATCHED: "info",
    NeedStatus.RESOLVED: "success",
    NeedStatus.CLOSED: "secondary",
}


class ResourceKind(models.TextChoices):
    VENUE = "venue", _("Venue")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    SOCIAL_ORG = "social_org", _("Social organisation")
    COMPANY = "company", _("Company offering services")
    FUND = "fund", _("Fund")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("Being implemented")
    COMPLETED = "completed", _("Completed")


# The shared taxonomy (one for needs, resources and projects): code, name, sort. Loaded by a data migration;
# staff may add more as data.
DEFAULT_CATEGORIES = [
    ("elderly", "养老助老", 10),
    ("children", "儿童青少年", 20),
    ("environment", "环境卫生", 30),
    ("facilities", "公共设施", 40),
    ("safety", "平安建设", 50),
    ("culture", "文体活动", 60),
    ("health", "健康服务", 70),
    ("employment", "就业帮扶", 80),
    ("disability", "助残服务", 90),
    ("other", "其他", 999),
]


class MeetingKind(models.TextChoices):
    COUNCIL = "council", _("Residents' council meeting")  # 居民议事会
    BUILDING = "building", _("Building meeting")  # 楼栋议事
    JOINT = "joint", _("Joint meeting")  # 联席会议


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Convened")
    HELD = "held", _("Held, minutes published")
    CANCELLED = "cancelled", _("Cancelled")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("Being followed up")
    DONE = "done", _("Followed up")


class DecisionOutcome(models.TextChoices):
    NONE = "", _("Recorded only")
    PROJECT = "project", _("Became a project")
    APPEAL = "appeal", _("Became an appeal")
    NEED = "need", _("Became a need")


class PollStatus(models.TextChoices):
    OPEN = "open", _("Poll open")
    CLOSED = "closed", _("Poll closed")


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Discussion closed")


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING_REVIEW = "pending_review", _("Hidden, pending review")
    REMOVED = "removed", _("Removed by a moderator")


# Three reports from different people hide a comment until a moderator reviews it.
HIDE_AFTER_REPORTS = 3
