"""弱信号预警 (weak-signal early warning) and 未诉先办 (acting before anyone appeals): plan 6.2 and 5.2.

The daily detector reads appeal counts per category × street and community, and the appeals themselves, and
writes one EarlyWarning per signal it finds: a significant rise against a baseline that knows the weekday and the
season, repeated appeals from one person or one address, or a new cluster in space and time. Staff in the area
acknowledge it, dismiss it with a reason, or turn it into a proactive appeal (channel "proactive") that the
normal dispatch then carries; the warnings of a month feed the top-problems list (每月一题).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area

from .choices import WarningKind, WarningStatus


class EarlyWarning(models.Model):
    """One early warning (预警) with its evidence, and what staff decided about it.

    `evidence` holds what the detector saw (the day's count and its baseline, the series, the appeal ids and
    numbers, a cluster's centre and radius), never a phone number or any other personal data in clear: a person is
    a masked phone or an account number. `dedupe_key` makes a re-run of the detector for the same day a no-op.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=WarningKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    category = models.ForeignKey(
        "appeals.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))  # the Shenzhen day the signal was seen on
    window_start = models.DateField(_("window start"))
    observed = models.PositiveIntegerField(_("observed"))
    expected = models.FloatField(_("expected"), null=True, blank=True)
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    score = models.FloatField(
        _("score"), default=0.0
    )  # -log10(p) for rises and clusters, the count for repeats
    subject = models.CharField(
        _("subject"), max_length=200, blank=True
    )  # masked phone or address, for repeats
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True)
    synthetic = models.BooleanField(default=False)  # raised on synthetic (demo or bench) appeals only

    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)
    task_appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-day", "-score", "-id"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        indexes = [
            models.Index(fields=["status", "day"], name="earlywarning_status_day"),
            models.Index(fields=["day", "kind"], name="earlywarning_day_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=WarningStatus.values), name="earlywarning_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=WarningStatus.TASKED) | models.Q(task_appeal__isnull=False),
                name="earlywarning_tasked_has_appeal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.area_id} {self.day}"

    def audit_repr(self) -> str:
        return f"warning #{self.pk} {self.kind} {self.day}"
