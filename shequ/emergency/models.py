"""Community emergency management (plan 4.3 应急): plans, shelters, supplies, drills, emergency teams, and
warnings (预警) that reach every resident of the areas they cover exactly once.

A warning's fan-out is cut into batches of residents by id range (`FanoutBatch`, a resumable cursor): a batch is
delivered in one transaction that also marks it done, so a batch retried after a crash or a broker restart either
finds it done or redoes it from nothing; the unique constraint on (warning, resident) is the last word on
"exactly once".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.crypto import EncryptedTextField
from shequ.geo.models import Area

from .choices import AckWay, Channel, Hazard, Level, SafetyState, WarningStatus


class Plan(models.Model):
    """A community emergency plan (应急预案) for one hazard: who does what, and how to reach them."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    hazard = models.CharField(_("hazard"), max_length=20, choices=Hazard.choices)
    summary = models.TextField(_("summary"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["area__path", "title"]

    def __str__(self) -> str:
        return self.title


class PlanRole(models.Model):
    """A role in a plan (总指挥, 疏散组, 物资组 …) and the person who holds it; the phone is encrypted and shown
    masked."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(pgettext_lazy("emergency plan", "role"), max_length=40)
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(pgettext_lazy("emergency plan", "phone"), blank=True, default="")
    duty = models.CharField(_("duty"), max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.role


class Shelter(models.Model):
    """An emergency shelter (应急避难场所) with its capacity; registered as a facility of type "shelter" too
    (`facility_id`), so that it is on the residents' map of services near them."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"))
    lng = models.FloatField(_("longitude (WGS84)"))
    capacity = models.PositiveIntegerField(_("capacity"))
    occupied = models.PositiveIntegerField(_("people sheltered now"), default=0)
    is_open = models.BooleanField(_("open now"), default=False)
    facility_id = models.BigIntegerField(null=True, blank=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["area__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occupied__lte=models.F("capacity")), name="em_shelter_fits"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def free(self) -> int:
        return self.capacity - self.occupied


class Supply(models.Model):
    """A stock of emergency supplies (应急物资) kept in an area: quantity, the minimum to keep, and expiry."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=10)
    quantity = models.PositiveIntegerField(_("quantity"))
    minimum = models.PositiveIntegerField(_("minimum stock"), default=0)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    location = models.CharField(_("kept at"), max_length=120, blank=True)
    # The alerts its keepers were last told of ("below,expiring"): they are told again only when this changes.
    alert_state = models.CharField(max_length=40, blank=True, default="")
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["area__path", "name"]

    def __str__(self) -> str:
        return self.name


class Drill(models.Model):
    """A drill (应急演练) of a plan, and its record: when, how many took part, what was learnt."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="drills")
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    participants = models.PositiveIntegerField(_("participants"))
    record = models.TextField(_("record"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.held_on}"


class Team(models.Model):
    """An emergency volunteer team (应急志愿队): a volunteer team of shequ/volunteers (by id, read through its
    selectors) on call for emergencies in an area."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    volunteer_team_id = models.BigIntegerField(null=True, blank=True)
    speciality = models.CharField(_("speciality"), max_length=60, blank=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["area__path", "name"]

    def __str__(self) -> str:
        return self.name


class Warning(models.Model):
    """An emergency warning (预警信息): a hazard, a level, the areas it covers and the message, published to
    everyone in those areas."""

    hazard = models.CharField(_("hazard"), max_length=20, choices=Hazard.choices)
    level = models.CharField(pgettext_lazy("grade", "level"), max_length=10, choices=Level.choices)
    title = models.CharField(_("title"), max_length=60)
    message = models.TextField(_("message"))
    areas = models.ManyToManyField(Area, verbose_name=_("areas covered"), related_name="+")
    status = models.CharField(max_length=10, choices=WarningStatus.choices, default=WarningStatus.ACTIVE)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set when every batch is done: the fan-out is complete.
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    # After the lift: when the "lifted" message was last sent to the broker, and when everyone it reached through
    # the message centre had been told (the resume sweep looks for a lift queued long ago and not finished).
    lift_queued_at = models.DateTimeField(null=True, blank=True)
    lift_told_at = models.DateTimeField(null=True, blank=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "areas__path"

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class FanoutBatch(models.Model):
    """One batch of a warning's fan-out: the residents with lo <= id <= hi. Done once, in one transaction."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="batches")
    lo = models.BigIntegerField()
    hi = models.BigIntegerField()
    queued_at = models.DateTimeField(null=True, blank=True)  # last sent to the broker
    done_at = models.DateTimeField(null=True, blank=True)
    delivered = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["warning", "lo"]
        constraints = [models.UniqueConstraint(fields=["warning", "lo"], name="em_batch_once")]
        indexes = [
            models.Index(
                fields=["warning"], condition=models.Q(done_at__isnull=True), name="em_batch_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.warning_id} [{self.lo}, {self.hi}]"


class Delivery(models.Model):
    """A warning as it reached one resident: by which channel, when he acknowledged it, and after the event
    whether he is safe. One row per (warning, resident): the database keeps "exactly once"."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="deliveries")
    resident = models.ForeignKey("residents.Resident", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    vulnerable = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    delivered_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_way = models.CharField(max_length=10, choices=AckWay.choices, blank=True)
    ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    safety = models.CharField(max_length=10, choices=SafetyState.choices, blank=True)
    safety_note = models.CharField(max_length=200, blank=True)
    safety_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.CharField(max_length=200, blank=True)
    # Set in the same transaction as the message telling him the warning is lifted: a retried task skips him.
    lift_told_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area__path"
    scope_owner_field = "user"

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["warning", "resident"], name="em_reached_once")]
        indexes = [
            models.Index(fields=["user", "warning"], name="em_delivery_user"),
            # The call list: vulnerable people of a warning who have not acknowledged it.
            models.Index(
                fields=["warning", "area"],
                condition=models.Q(vulnerable=True, acknowledged_at__isnull=True),
                name="em_delivery_calls",
            ),
            # The lift message's scan: people reached through the message centre or by text who are not yet told,
            # by id (a keyset walk). A row leaves the index once told, so a retry or the resume sweep reads only
            # who is left.
            models.Index(
                fields=["warning", "id"],
                condition=models.Q(lift_told_at__isnull=True)
                & (models.Q(user__isnull=False) | models.Q(channel="sms")),
                name="em_delivery_lift_told",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warning_id} → {self.resident_id}"

    @property
    def reached(self) -> bool:
        return self.channel != Channel.NONE
