"""The plan's indicators per area and its task ledger (plan ch. 7: 任务清单和工作台账, targets broken down by
district, yearly assessment)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.accounts.models import Unit
from shequ.geo.models import Area, PathField

from .choices import Comparison, Escalation, TaskAction, TaskStatus


class Indicator(models.Model):
    """One measurable target of the plan, written once: the plan's words and section, the target and its year,
    the formula over registered figures (shequ/indicators/registry.py), the unit and the area levels it applies
    to. A changed definition is a new version; values keep the version they were computed with."""

    key = models.CharField(_("key"), max_length=64)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    name = models.CharField(_("name"), max_length=120)
    wording = models.TextField(_("the plan's wording"))
    section = models.CharField(_("section of the plan"), max_length=80)
    formula = models.CharField(_("formula"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices, default="gte")
    target = models.FloatField(_("target"))
    target_year = models.PositiveSmallIntegerField(_("target year"), default=2025)
    levels = models.JSONField(_("area levels"), default=list)
    note = models.TextField(_("what the formula does not check yet"), blank=True)
    sort = models.PositiveSmallIntegerField(_("sort"), default=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan indicator")
        verbose_name_plural = _("plan indicators")
        ordering = ["sort", "key"]
        constraints = [
            models.UniqueConstraint("key", "version", name="indicators_one_row_per_version"),
            models.UniqueConstraint(
                "key", condition=Q(is_current=True), name="indicators_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class IndicatorValue(models.Model):
    """One indicator's value for one area on one day, kept by the rollup (never computed on a page view). A value
    of None is "no data": `missing` lists the figures no module registers yet."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    key = models.CharField(_("key"), max_length=64)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    area_path = PathField(_("area path"), max_length=400)
    level = models.CharField(_("level"), max_length=16)
    day = models.DateField(_("day"))
    value = models.FloatField(_("value"), null=True)
    target = models.FloatField(_("target"))
    gap = models.FloatField(_("gap"), null=True)
    met = models.BooleanField(_("met"), null=True)
    inputs = models.JSONField(_("figures used"), default=dict)
    missing = models.JSONField(_("figures without a source"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint("key", "area", "day", name="indicators_value_one_per_day"),
        ]
        indexes = [
            # The page reads one day's values of an area's children: (day, level) then the path prefix.
            models.Index(fields=["day", "level", "area_path"], name="indicators_value_day_level"),
            models.Index(fields=["key", "area", "day"], name="indicators_value_series"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.area_id} {self.day}: {self.value}"


class RollupRun(models.Model):
    """One run of the indicators' rollup: when, how long, for how many areas (the page says when values were
    computed)."""

    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started at"))
    seconds = models.FloatField(_("seconds"), default=0)
    areas = models.PositiveIntegerField(pgettext_lazy("count", "areas"), default=0)
    values = models.PositiveIntegerField(_("values"), default=0)

    class Meta:
        verbose_name = _("indicator rollup run")
        verbose_name_plural = _("indicator rollup runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.day} {self.values} values in {self.seconds} s"


class PlanTask(models.Model):
    """A task of the plan's task list (任务清单): what (from which chapter and column), which unit answers for it,
    by when, its status and evidence, and its supervision. A district's implementation plan breaks a city task
    down: its rows have the city task as parent and may carry the district's share of an indicator's target."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    chapter = models.CharField(_("chapter"), max_length=80)
    column = models.CharField(_("column (专栏)"), max_length=80, blank=True)
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    area_path = PathField(_("area path"), max_length=400)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("breaks down"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    unit_name = models.CharField(_("responsible unit"), max_length=120)
    indicator_key = models.CharField(_("indicator"), max_length=64, blank=True)
    target = models.FloatField(_("target share"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default="not_started")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    evidence = models.TextField(pgettext_lazy("supporting documents", "evidence"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["due_date", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="indicators_task_progress_max"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_on__isnull=False),
                name="indicators_task_done_has_date",
            ),
        ]
        indexes = [
            # The overdue scan: open tasks by due date.
            models.Index(fields=["due_date"], condition=~Q(status="done"), name="indicators_task_open_due"),
            models.Index(
                fields=["area_path"], name="indicators_task_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PlanTaskEvent(models.Model):
    """A line of the work ledger (工作台账): what happened to a task, who did it, when, with what note."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=TaskAction.choices)
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("done by", "by"),
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("task ledger entry")
        verbose_name_plural = _("task ledger entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action} {self.at:%Y-%m-%d}"
