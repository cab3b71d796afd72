"""Credit of service companies (plan 4.2 物业 激励名单/风险名单; 7.3 家政 credit): property companies and their
project managers linked to the estates they serve, domestic-service companies, inspections, and the yearly lists
computed by the formula in formula.py, each entry with its evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.geo.models import Area

from .choices import Level, Standing, SubjectKind


class Subject(models.Model):
    """A company (property or domestic service) or a property project manager (项目经理) under credit supervision,
    supervised by the area it sits in (`area`, a district or street)."""

    kind = models.CharField(_("kind"), max_length=20, choices=SubjectKind.choices)
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    company = models.ForeignKey(
        "self",
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=SubjectKind.PROJECT_MANAGER, company__isnull=False)
                | ~Q(kind=SubjectKind.PROJECT_MANAGER),
                name="credit_manager_has_company",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def survey_subject(self) -> str:
        """How surveys name this subject when they evaluate it (shequ/surveys Survey.subject)."""
        return f"credit:{self.pk}"


class EstateService(models.Model):
    """A property company, or its project manager, serving an estate from `since` until `until` (open if null)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="estates")
    estate = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    since = models.DateField(pgettext_lazy("on a list", "since"))
    until = models.DateField(_("until"), null=True, blank=True)

    scope_path_field = "estate__path"

    class Meta:
        ordering = ["subject", "since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")), name="credit_service_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id}@{self.estate_id}"


class Inspection(models.Model):
    """A supervision inspection (日常检查) of a company's service, scored 0–100; a serious finding (重大问题)
    puts the company on the risk list whatever its score."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="inspections")
    estate = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    inspected_on = models.DateField(_("inspected on"))
    score = models.PositiveSmallIntegerField(_("score"))
    serious = models.BooleanField(_("serious finding"), default=False)
    finding = models.CharField(_("finding"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "subject__area__path"

    class Meta:
        ordering = ["-inspected_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="credit_inspection_score")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.inspected_on}"


class ListEntry(models.Model):
    """A subject's place in a year's lists (激励名单, 风险名单, or neither), its score by the formula, the
    supervision level that follows, and the evidence: every input with its figures and sources."""

    year = models.PositiveSmallIntegerField(_("year"))
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="entries")
    standing = models.CharField(_("list"), max_length=12, choices=Standing.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    level = models.CharField(_("supervision level"), max_length=1, choices=Level.choices)
    evidence = models.JSONField(default=dict)
    formula = models.CharField(max_length=20)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_path_field = "subject__area__path"

    class Meta:
        ordering = ["year", "standing", "-score"]
        constraints = [models.UniqueConstraint(fields=["year", "subject"], name="credit_one_entry_a_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.subject_id} {self.standing}"
