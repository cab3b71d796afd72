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

from shequ.geo.models import Area

from .choices import NeedSource, NeedStatus


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
    def response_hours(self) -> float | None:
        if self.responded_at is None:
            return None
        return round((self.responded_at - self.created_at).total_seconds() / 3600, 1)
