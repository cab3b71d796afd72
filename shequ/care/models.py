"""Care for people in difficulty (plan 专栏3 item 1, 4.1 兜底 双百, 一老一小; issue 28 items 1-4).

Special-group membership is PIPL sensitive personal information: only roles with `care.groups_view` in the
person's area see it, every view is audited, names are masked in lists. Everything is scoped by area path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.accounts.models import Unit
from shequ.geo.models import Area
from shequ.residents.models import Resident, Tag

from .choices import (
    CaseStatus,
    DiscoveryKind,
    DiscoveryStatus,
    EventKind,
    OrderKind,
    OrderStatus,
    ReferralKind,
    ReferralStatus,
    Source,
)


class GroupMembership(models.Model):
    """A resident's membership of a special group (低保, 特困, 残疾 with level, 独居老人 …) with its evidence, its
    source and the date it must be reviewed by. Ended memberships are kept (active=False) with the reason."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="care_groups")
    tag = models.ForeignKey(
        Tag,
        verbose_name=pgettext_lazy("population group", "group"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(pgettext_lazy("grade", "level"), max_length=20, blank=True)
    evidence = models.TextField(pgettext_lazy("supporting documents", "evidence"))
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    review_date = models.DateField(_("review date"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "tag"], condition=models.Q(active=True), name="care_one_active_membership"
            )
        ]

    def __str__(self) -> str:
        return f"membership {self.pk}"


class Station(models.Model):
    """A street's social-work station (社工站); the plan wants one in every street."""

    area = models.ForeignKey(Area, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area"], name="care_one_station_per_street")]

    def __str__(self) -> str:
        return self.name


class Discovery(models.Model):
    """An entry of the proactive discovery queue (主动发现): a signal about a person that someone must look at;
    it becomes a case or is dismissed with a reason. `source_ref` makes a repeated signal one entry."""

    kind = models.CharField(_("kind"), max_length=20, choices=DiscoveryKind.choices)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(_("summary"), max_length=300)
    source_ref = models.CharField(max_length=120, blank=True, default="")
    status = models.CharField(max_length=12, choices=DiscoveryStatus.choices, default=DiscoveryStatus.OPEN)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(max_length=300, blank=True, default="")
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~models.Q(source_ref=""),
                name="care_discovery_one_per_signal",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"discovery {self.pk}"


class Case(models.Model):
    """A social-work case (个案, 社工 双百): discover → report → assess → plan → serve → review → close.
    `due_at` is the deadline of the current stage (working days); `next_visit_due` drives missed-visit alerts."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="care_cases")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="care_cases"
    )
    discovery = models.OneToOneField(
        Discovery, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    summary = models.CharField(_("summary"), max_length=300)
    assessment = models.JSONField(default=dict, blank=True)
    plan = models.TextField(blank=True, default="")
    visit_every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    next_visit_due = models.DateField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_visit_due"])]

    def __str__(self) -> str:
        return f"case {self.pk}"

    def audit_repr(self) -> str:
        return f"case {self.pk}"


class CaseEvent(models.Model):
    """One step on a case's timeline: the report, the assessment, the plan, each visit, service and referral,
    reviews, supervision notes and the closing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Referral(models.Model):
    """A referral (转介) from a case to the department that decides on assistance, health, employment …; or a
    minors' protection report (强制报告) sent on the fast path (`urgent`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="referrals")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ReferralKind.choices)
    note = models.TextField(_("note"))
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    due_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-urgent", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"referral {self.pk}"


class Provider(models.Model):
    """A provider of elder and child services (助餐, 助浴, 就医陪诊, 上门探访) serving an area."""

    name = models.CharField(_("name"), max_length=80)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    kinds = models.JSONField(default=list)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    def __str__(self) -> str:
        return self.name


class ServiceOrder(models.Model):
    """An order of a service for a resident (elder or child), done by a provider and rated afterwards."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(_("service"), max_length=12, choices=OrderKind.choices)
    scheduled_for = models.DateField(_("date"))
    status = models.CharField(max_length=12, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=200, blank=True, default="")
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="care_order_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"order {self.pk}"
