"""Residents' participation (plan 5.2 民生微实事 "居民点菜", 专栏2 item 6 三项清单, 3.1 议事协商).

The three lists: needs (what residents need, with where each came from), resources (who can help: venues,
volunteer teams, social organisations, companies, funds) and projects; one taxonomy (Category) for all three.
A need is matched to resources and projects (NeedMatch); the time from posting to its first match is kept on the
need (`responded_at`), so the response time is read, never recomputed from a scan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.geo.models import Area

from .choices import (
    CommentStatus,
    DecisionOutcome,
    DecisionStatus,
    MeetingKind,
    MeetingStatus,
    NeedSource,
    NeedStatus,
    PollStatus,
    ProjectStatus,
    ResourceKind,
    TopicStatus,
)


class Category(models.Model):
    """A category of the shared taxonomy (养老助老, 环境卫生 …) used by needs, resources and projects, kept as data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40)
    sort = models.PositiveSmallIntegerField(_("sort"), default=100)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Need(models.Model):
    """A need on a community's need list (需求清单): what is needed, in which community, of which category, and
    where it came from (a resident, a survey, the month's top problems in appeals, a grid visit, a meeting).

    `title`, `description`, `category`, `area`, `status`, `source` and `created_at` are public (the portal shows
    them); who posted it (`posted_by`) never is."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="needs"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000)
    source = models.CharField(
        _("source"), max_length=16, choices=NeedSource.choices, default=NeedSource.RESIDENT
    )
    # What the source points at, for staff: an appeals top-problem month and category, a survey, a visit record.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    # Set once, by the first match (services.need_match): the response time is responded_at - created_at.
    responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"
    scope_owner_field = "posted_by"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["area", "status"], name="participation_need_area_st")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NeedStatus.values), name="participation_need_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=NeedSource.values), name="participation_need_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        return f"XQ{self.pk:07d}"

    @property
    def badge(self) -> str:
        from .choices import NEED_BADGES

        return NEED_BADGES.get(self.status, "secondary")

    @property
    def response_hours(self) -> float | None:
        if self.responded_at is None:
            return None
        return round((self.responded_at - self.created_at).total_seconds() / 3600, 1)


class Resource(models.Model):
    """A resource on a community's resource list (资源清单): a venue, a volunteer team, a social organisation, a
    company offering services or a fund. A venue, facility or volunteer team that exists in its own module is
    linked by reference (`link_kind`, `link_id`, read through that module's selectors); others are typed in."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="resources"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what it offers"), max_length=2000, blank=True)
    # An organisation's public service phone or address, never a person's.
    contact = models.CharField(_("public contact"), max_length=100, blank=True)
    link_kind = models.CharField(
        _("linked record"), max_length=32, blank=True
    )  # "venues.venue", "volunteers.team"
    link_id = models.PositiveIntegerField(_("linked record id"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ResourceKind.values), name="participation_resource_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A project on a community's project list (项目清单): a livelihood project that answers needs, from the
    community's plan or from a meeting's decision."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    budget_yuan = models.PositiveIntegerField(_("budget (yuan)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="participation_project_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NeedMatch(models.Model):
    """A need matched to a resource or a project by a community worker, with the reply the resident reads."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )
    reply = models.CharField(_("reply to the resident"), max_length=500, blank=True)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    matched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["matched_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resource__isnull=False) | Q(project__isnull=False),
                name="participation_match_has_target",
            ),
            models.UniqueConstraint(fields=["need", "resource"], name="participation_match_once_resource"),
            models.UniqueConstraint(fields=["need", "project"], name="participation_match_once_project"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} → {self.resource_id or self.project_id}"


class Meeting(models.Model):
    """A deliberation meeting (议事协商): a residents' council (居民议事会), a building meeting (楼栋议事) or a joint
    meeting (联席会议), with its agenda, invitations, attendance by QR, minutes, decisions and live polls."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=100)
    agenda = models.TextField(_("agenda"), max_length=4000)
    place = models.CharField(_("place"), max_length=100)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(_("meeting minutes"), max_length=20000, blank=True)
    minutes_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)
    # Part of the signed attendance code: a new key voids codes already printed.
    checkin_key = models.CharField(max_length=32, default="", editable=False)
    convened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="participation_meeting_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="participation_meeting_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """A person invited to a meeting (the invitation itself goes through shequ.messages)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="participation_invite_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.person_id}"


class Attendance(models.Model):
    """A person present at a meeting: by scanning the meeting's code, or ticked on the roster by the convener."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=8, default="qr")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="participation_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.person_id}"


class Decision(models.Model):
    """A decision of a meeting (议定事项) with its follow-up; it may become a project, an appeal or a need, and
    the record links to what it became."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("decision"), max_length=500)
    follow_up = models.CharField(_("follow-up"), max_length=500, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    outcome = models.CharField(
        _("became"), max_length=8, choices=DecisionOutcome.choices, default=DecisionOutcome.NONE, blank=True
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    need = models.ForeignKey(Need, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions")
    # An appeal belongs to shequ.appeals: kept by its public number, created through appeals.services.
    appeal_number = models.CharField(_("appeal"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class Poll(models.Model):
    """A live poll inside a meeting (现场表决): opened by the convener, answered by those present, then closed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(pgettext_lazy("poll", "question"), max_length=200)
    options = models.JSONField(_("options"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=PollStatus.choices, default=PollStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.question


class PollAnswer(models.Model):
    """One present person's answer to a live poll (one each)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    option = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "person"], name="participation_poll_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}/{self.option}"


class Topic(models.Model):
    """An online deliberation topic (线上议事) of a community: residents comment, reply and support."""

    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("what is to be decided"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=8, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="topics"
    )
    supports = models.PositiveIntegerField(_("supports"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    """A comment on a topic, or a reply to one (`parent`). Three reports hide it pending a moderator's review."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=16, choices=CommentStatus.choices, default=CommentStatus.VISIBLE
    )
    supports = models.PositiveIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:30]


class Support(models.Model):
    """One person's support (点赞支持) of a topic or a comment, once each."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "topic"], name="participation_support_topic_once"),
            models.UniqueConstraint(fields=["person", "comment"], name="participation_support_comment_once"),
            models.CheckConstraint(
                condition=Q(topic__isnull=False, comment__isnull=True)
                | Q(topic__isnull=True, comment__isnull=False),
                name="participation_support_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id or self.comment_id}"


class Report(models.Model):
    """One person's report of a comment (举报), once each, with the reason; the review is audited."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="report_set")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="participation_report_once")
        ]

    def __str__(self) -> str:
        return self.reason
