"""民生诉求 (citizen appeals): the plan's central digital capability (6.2; 5.2 即时响应机制).

An appeal comes in on any channel, is dispatched by the responsibility list (职责清单) or a dispatcher to a lead
unit (and co-units), handled against deadlines on the working-day calendar, supervised, answered, rated by the
requester (好差评) and closed, or reopened. Every transition is an AppealEvent (the timeline); deadlines are
indexed columns scanned every minute; KPIs are kept in rollups updated as events happen (kpis.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.accounts.models import Unit
from shequ.core.crypto import EncryptedTextField
from shequ.geo.models import Area, PathField

from .choices import (
    HANDLING_STATUSES,
    OPEN_STATUSES,
    SUPERVISED_STATUSES,
    AssignmentRole,
    Channel,
    ExtensionStatus,
    LocationPrecision,
    Rating,
    Status,
    Urgency,
)


class Category(models.Model):
    """An appeal category (two levels, Shenzhen defaults), with its deadlines and required attributes.

    Categories are Open311 services: `code` is the service_code and `attributes` the service definition.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    default_urgency = models.CharField(
        _("default urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Overrides of the urgency defaults: {"normal": {"days": 5, "working": true}, ...}
    reply_deadlines = models.JSONField(_("reply deadlines"), default=dict, blank=True)
    contact_hours = models.PositiveSmallIntegerField(_("contact within (hours)"), default=24)
    rectify_days = models.PositiveSmallIntegerField(
        _("rectification after a bad rating (working days)"), default=5
    )
    attributes = models.JSONField(_("required attributes (Open311)"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class ResponsibilityRule(models.Model):
    """A line of the responsibility list (职责清单): category × area → lead unit (+ co-units), versioned.

    The rule for an appeal is the active one (effective on the appeal's date) whose area is the deepest ancestor
    of the appeal's area, for the category or, failing that, its parent category.
    """

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="rules")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lead_rules")
    co_units = models.ManyToManyField(Unit, blank=True, related_name="co_rules")
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    version = models.CharField(_("list version"), max_length=40, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["category", "area"], name="appeals_rule_cat_area")]
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility list")

    def __str__(self) -> str:
        return f"{self.category} @ {self.area.code} → {self.lead_unit}"


class AppealNumberField(models.CharField):
    """The appeal's number. Intake sets it before the INSERT (appeals.services: from a block of the number sequence
    on PostgreSQL, a per-day counter row on SQLite); the class stays because migrations 0008 and 0009 name it."""


# The overdue and the supervised lists (selectors.QUEUES: the console's queues, the leaders' dashboard) are read
# newest first off partial indexes of exactly these conditions (Appeal.Meta), whatever the statistics and the plan.
OVERDUE = models.Q(status__in=HANDLING_STATUSES, overdue_at__isnull=False)
SUPERVISED = models.Q(supervised=True, status__in=SUPERVISED_STATUSES)


class Appeal(models.Model):
    """One citizen appeal (诉求 / 工单)."""

    # Unique through the constraint in Meta: a plain unique index (unique=True would add a second, LIKE index on
    # PostgreSQL; numbers are only ever looked up whole).
    number = AppealNumberField(_("number"), max_length=24)
    text = models.TextField(_("description"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    urgency_reason = models.CharField(_("why urgent"), max_length=200, blank=True)
    # Which kind of emergency (appeals.urgency.KIND_LABELS: fire, gas, trapped …): whom the resident is told to call.
    urgency_kind = models.CharField(_("kind of emergency"), max_length=16, blank=True)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals"
    )
    anonymous = models.BooleanField(_("anonymous to the public"), default=False)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(
        _("contact phone"),
        blank=True,
        default="",
        blind_index="contact_phone_hash",
        normalize="shequ.core.idnumbers.normalize_phone",
    )
    # Indexed in Meta (a plain index: db_index=True would add a LIKE index on PostgreSQL, useless for a hash).
    contact_phone_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Indexed through (area, created_at) in Meta, which also serves the PROTECT check.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    location_precision = models.CharField(max_length=16, blank=True, choices=LocationPrecision.choices)
    attributes = models.JSONField(default=dict, blank=True)

    # Indexed through (lead_unit, status) in Meta.
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    default_unit_decided = models.BooleanField(_("default (兜底) unit decided"), default=False)
    supervised = models.BooleanField(_("under supervision"), default=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_appeals"
    )
    resolved = models.BooleanField(_("resolved (per the requester)"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices, null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Deadlines are columns, not timers (DESIGN.md §5): the scan reads them, a broker restart loses nothing.
    dispatch_due = models.DateTimeField(null=True, blank=True)
    contact_due = models.DateTimeField(null=True, blank=True)
    reply_due = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"
    scope_owner_field = "requester"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        # Every intake writes each of these indexes, so none repeats the leading column of another (the foreign keys
        # above are indexed through them). bench/RESULTS.md §1.5.
        constraints = [models.UniqueConstraint(fields=["number"], name="appeals_number_unique")]
        indexes = [
            models.Index(fields=["contact_phone_hash"], name="appeals_phone_hash"),
            models.Index(fields=["status", "created_at"], name="appeals_status_created"),
            # The lists' order (newest first, id breaking ties): a page is read off the index, never sorted.
            models.Index(fields=["-created_at", "-id"], name="appeals_newest_first"),
            # Possible duplicates (dispatch.duplicates.pool_for): open appeals of a category in a time window.
            models.Index(
                fields=["category", "created_at"],
                name="appeals_open_category_created",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            models.Index(fields=["lead_unit", "status"], name="appeals_unit_status"),
            models.Index(fields=["area", "created_at"], name="appeals_area_created"),
            # The minute scan reads only open appeals by deadline: a partial index keeps it small at any volume.
            models.Index(
                fields=["reply_due"],
                name="appeals_open_reply_due",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["dispatch_due"],
                name="appeals_open_dispatch_due",
                condition=models.Q(status=Status.SUBMITTED),
            ),
            # The ten newest overdue or supervised appeals in a scope: a walk down a small index, stopped at ten,
            # instead of a plan that hinges on the areas' statistics (bench/pages/RESULTS.md, "The dashboard's
            # lists"). An intake adds no entry to either (it is neither overdue nor supervised).
            models.Index(fields=["-created_at", "-id"], name="appeals_overdue_newest", condition=OVERDUE),
            models.Index(
                fields=["-created_at", "-id"], name="appeals_supervised_newest", condition=SUPERVISED
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def audit_repr(self) -> str:
        return self.number


class Assignment(models.Model):
    """A unit's part in an appeal: the lead unit (主办) or a co-handling unit (协办). Ended, never deleted."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assignments")
    # Indexed through (unit, active) in Meta.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", db_index=False)
    role = models.CharField(max_length=8, choices=AssignmentRole.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(blank=True)  # a co-unit's report to the lead

    class Meta:
        constraints = [
            # At most one active dispatch: one active lead per appeal, enforced by the database.
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(active=True, role="lead"),
                name="appeals_one_active_lead",
            ),
        ]
        indexes = [models.Index(fields=["unit", "active"], name="appeals_assign_unit_active")]

    def __str__(self) -> str:
        return f"{self.appeal} {self.role} {self.unit}"


class Event(models.Model):
    """The timeline: one row per action on an appeal (who, as which unit, from → to status, note, data)."""

    # Indexed through (appeal, at) in Meta.
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    # Two texts with two audiences (appeals.timeline): the note is staff's and never leaves for the requester;
    # resident_text is what the requester reads (the reply, the reason for not accepting).
    note = models.TextField(blank=True)
    resident_text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The entry's audience (timeline.Audience): True = the requester's too (and Open311's public updates), False =
    # staff only. Read it through timeline.audience_of.
    public = models.BooleanField(default=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["appeal", "at"], name="appeals_event_appeal_at"),
            models.Index(fields=["at"], name="appeals_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.action}"


class Extension(models.Model):
    """A request to move the reply deadline (延期), decided by the dispatcher."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    old_due = models.DateTimeField(null=True, blank=True)
    new_due = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=models.Q(status="pending"), name="appeals_one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} +{self.days}d {self.status}"


class Photo(models.Model):
    """A photo attached at intake or with a reply (Django storage: var/media or object storage)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="appeals/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    stage = models.CharField(max_length=16, default="intake")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file.name


class Supporter(models.Model):
    """A resident who met the same problem as an open appeal and said so ("我也遇到了", issue 21) instead of filing
    a duplicate: counted on the appeal and shown to staff; he follows its progress on his own pages.

    Written only by appeals.nearby.appeal_support; one row per person and appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="supporters")
    # Indexed through the unique constraint's (user, appeal) in Meta: "what do I follow" reads it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resident who met the same problem")
        verbose_name_plural = _("residents who met the same problem")
        constraints = [models.UniqueConstraint(fields=["user", "appeal"], name="appeals_supporter_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.appeal_id}"


class KpiCounters(models.Model):
    """The counters of one KPI rollup row (docs/kpis.md); the key fields are the concrete rollup's."""

    received = models.PositiveIntegerField(default=0)
    dispatched = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    handling_seconds = models.PositiveBigIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    emergency_received = models.PositiveIntegerField(default=0)
    emergency_dispatched_in_20min = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class KpiDaily(KpiCounters):
    """The KPI rollup (三率 and the rest, docs/kpis.md): one day's counters for one lead unit, community and
    top-level category, incremented by `kpis.record` inside the transaction of every appeal action.

    Requests only sum these rows (never the timeline); `manage.py rebuild_appeal_kpis` recomputes them from the
    events when they need repair. `day` is the Shenzhen (Asia/Shanghai) date of the event; `unit` the lead unit at
    the time (None before dispatch); `area` the appeal's community, or its own area when it is located only above
    community level; `area_path` a copy of that area's path for the indexed "everything under" prefix filter.
    """

    day = models.DateField(_("day"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = PathField(_("area path"), max_length=400)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("KPI day")
        verbose_name_plural = _("KPI days")
        constraints = [
            # One row per key. unit and category may be NULL, and NULL never equals NULL in a plain unique index
            # (two "not yet dispatched" rows would both be allowed); COALESCE to 0 (no pk is 0) makes NULL a value.
            # An expression index means the same on SQLite and PostgreSQL, where nulls_distinct=False would be
            # silently skipped on SQLite. `day` leads, so the index also serves the period filter.
            models.UniqueConstraint(
                "day",
                Coalesce("unit", 0),
                "area",
                Coalesce("category", 0),
                name="appeals_kpi_one_row_per_key",
            ),
        ]
        indexes = [
            # Same job as Area.path's index: `area_path__prefix` is one range scan (see geo.models.PathPrefix).
            models.Index(
                fields=["area_path"], name="appeals_kpi_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} unit={self.unit_id} category={self.category_id}"


class KpiMonthly(KpiCounters):
    """The same counters as KpiDaily, summed over a calendar month (`month` is its first day): what a long unit
    ranking reads, so that a year sums a twelfth of the rows (bench/RESULTS.md, the KPI endpoint). Every other
    grouping reads the levels without the unit (KpiAreaDaily, KpiAreaMonthly).

    Kept by `kpis.record` with the daily row in the same transaction, and rebuilt from the daily rows by
    `kpis_rebuild`; the sum of a month's daily rows always equals its monthly row (tested).
    """

    month = models.DateField(_("month"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = PathField(_("area path"), max_length=400)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("KPI month")
        verbose_name_plural = _("KPI months")
        constraints = [
            models.UniqueConstraint(
                "month",
                Coalesce("unit", 0),
                "area",
                Coalesce("category", 0),
                name="appeals_kpim_one_row_per_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["area_path"], name="appeals_kpim_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.area_path} unit={self.unit_id} category={self.category_id}"


class KpiAreaCounters(KpiCounters):
    """The key of the rollups without the unit, besides the period: a community (or coarser area) and a top-level
    category."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = PathField(_("area path"), max_length=400)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        abstract = True


class KpiAreaDaily(KpiAreaCounters):
    """KpiDaily without the unit: one day's counters for one community and top-level category, whatever unit led.

    Every read but the unit ranking comes from here and from KpiAreaMonthly. With the unit in the key most keys
    of a day or a month hold one or two appeals, so a month of KpiMonthly has nearly as many rows as appeals; without
    it a month is at most communities × categories rows (bench/RESULTS.md §2). Kept by `kpis.record` with the
    other rollups in the same statement, rebuilt from the daily rows by `kpis_rebuild`; a row always equals the sum
    of KpiDaily's rows of its day, community and category over all units (tested).
    """

    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("KPI day by area")
        verbose_name_plural = _("KPI days by area")
        constraints = [
            models.UniqueConstraint(
                "day", "area", Coalesce("category", 0), name="appeals_kpiad_one_row_per_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["area_path"], name="appeals_kpiad_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} category={self.category_id}"


class KpiAreaMonthly(KpiAreaCounters):
    """KpiAreaDaily summed over a calendar month (`month` is its first day): what a long period reads for every
    grouping but the unit ranking."""

    month = models.DateField(_("month"))

    class Meta:
        verbose_name = _("KPI month by area")
        verbose_name_plural = _("KPI months by area")
        constraints = [
            models.UniqueConstraint(
                "month", "area", Coalesce("category", 0), name="appeals_kpiam_one_row_per_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["area_path"], name="appeals_kpiam_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.area_path} category={self.category_id}"
