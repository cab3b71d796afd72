"""Volunteer service (志愿服务, plan 专栏2/3): volunteers with a real-name record, teams and stations, activities with
shifts, sign-ups, check-in pairs and hours that count only once confirmed (STYLE.md §12), certificates.

A volunteer's record holds what MCA order 67 (《志愿服务记录与证明出具办法》, 2021) lists: basic information
(Volunteer), service records (HoursRecord), training, awards and evaluations (RecordEntry). The ID number, phone and
the contacts' phones are encrypted at rest like residents' (shequ.core.crypto), masked everywhere.

Places on a shift are taken by the database: `Shift.taken` moves only through a conditional UPDATE
(`taken < capacity`), and a CHECK constraint `taken <= capacity` backs it on every database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.facilities.models import Facility
from shequ.geo.models import Area

from .choices import (
    LIVE_SIGNUPS,
    ActivityStatus,
    CheckMethod,
    HoursKind,
    HoursStatus,
    RecordKind,
    SignupStatus,
    TeamKind,
    VolunteerStatus,
)


class Skill(models.Model):
    """A skill a volunteer offers and a shift may require (助老, 应急救护, 课业辅导 …), kept as data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40)
    sort = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class StarLevel(models.Model):
    """A star level (星级志愿者) as data: `stars` once `min_hours` confirmed hours over `window_days`."""

    stars = models.PositiveSmallIntegerField(_("stars"), unique=True)
    min_hours = models.PositiveIntegerField(_("hours needed"))
    window_days = models.PositiveIntegerField(_("over the last days"), default=730)

    class Meta:
        ordering = ["stars"]
        verbose_name = _("star level")
        verbose_name_plural = _("star levels")

    def __str__(self) -> str:
        return "★" * self.stars


class Volunteer(models.Model):
    """A registered volunteer (注册志愿者): a resident's account with a real name and ID number, what he can do,
    where and when; 预备 until training or first confirmed hours, then 正式. Under 18: a guardian's consent."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer")
    name = models.CharField(_("real name"), max_length=50)
    id_number = EncryptedTextField(
        _("ID number"), blind_index="id_number_hash", normalize="shequ.core.idnumbers.normalize_id_number"
    )
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=8)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    # Where he lives or registered (a community): scoping, and the figures per area.
    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    service_areas = models.ManyToManyField(
        Area, verbose_name=_("service areas"), blank=True, related_name="+"
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="volunteers")
    availability = models.PositiveIntegerField(_("availability"), default=0)  # choices.slot_bit
    emergency_name = models.CharField(_("emergency contact"), max_length=50)
    emergency_phone = EncryptedTextField(_("emergency contact phone"))
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_phone = EncryptedTextField(_("guardian's phone"), blank=True, default="")
    guardian_consent_at = models.DateTimeField(_("guardian's consent"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=VolunteerStatus.choices, default=VolunteerStatus.PREPARATORY
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    formal_at = models.DateTimeField(_("registered volunteer since"), null=True, blank=True)
    # Kept in the confirming transaction (services.hours_confirm): totals are read, never rescanned.
    confirmed_minutes = models.PositiveIntegerField(_("confirmed minutes"), default=0)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"
    scope_owner_field = "user"

    class Meta:
        ordering = ["id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VolunteerStatus.values), name="volunteers_volunteer_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def number(self) -> str:
        """The volunteer number shown on cards and certificates."""
        return f"SZV{self.pk:08d}"

    @property
    def hours(self) -> float:
        return round(self.confirmed_minutes / 60, 1)


class Team(models.Model):
    """A volunteer team (志愿服务队伍): a community team, a social organisation or a unit's team, in an area, with
    its managers (TeamManager) who organise its activities and confirm their hours."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices, default=TeamKind.COMMUNITY)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    confirmed_minutes = models.PositiveIntegerField(_("confirmed minutes"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["name"]
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="volunteers_team_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def hours(self) -> float:
        return round(self.confirmed_minutes / 60, 1)


class TeamManager(models.Model):
    """A person who manages a team (队长, 管理员): he organises its activities and confirms their hours, wherever his
    other grants reach."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="managers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="volunteers_team_manager_once")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.team_id}"


class TeamMember(models.Model):
    """A volunteer who joined a team (队员) from its page: the team's people, whom its organisers can record training
    and awards for. Leaving keeps the row with `left_at` (the record says when he served with the team); one live
    membership per volunteer and team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="memberships")
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "volunteer"],
                condition=Q(left_at__isnull=True),
                name="volunteers_team_member_once",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=F("joined_at")),
                name="volunteers_team_member_left_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.team_id}"


class Station(models.Model):
    """A volunteer station (志愿服务站点): a facility of the registry (type 志愿服务站) run by a team, in its area."""

    facility = models.OneToOneField(Facility, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stations",
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["name"]
        verbose_name = _("volunteer station")
        verbose_name_plural = _("volunteer stations")

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A volunteer activity (志愿服务活动/项目) organised by a team in an area, published only for the future, with its
    shifts. `is_group`: a group activity (团体活动), the only kind volunteers under 18 may join. `requires_approval`:
    sign-ups wait for the organiser. `cancel_hours`: a volunteer may cancel until this many hours before a shift."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="activities"
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_group = models.BooleanField(_("group activity"), default=False)
    requires_approval = models.BooleanField(_("sign-ups need approval"), default=False)
    cancel_hours = models.PositiveSmallIntegerField(_("cancellation deadline (hours before)"), default=24)
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)  # the first shift's start
    ends_at = models.DateTimeField(_("ends"))  # the last shift's end
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="volunteers_activity_ends_later"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="volunteers_activity_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    """A shift (班次) of an activity: place, time, capacity and required skills. `taken` counts confirmed sign-ups and
    changes only by a conditional UPDATE; the CHECK keeps it within the capacity whatever the concurrency. `qr_key`
    is the shift's own secret in its rotating check-in codes (shequ.volunteers.qr)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="shifts")
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("places"))
    taken = models.PositiveIntegerField(_("places taken"), default=0)
    required_skills = models.ManyToManyField(
        Skill, verbose_name=_("required skills"), blank=True, related_name="+"
    )
    qr_key = models.CharField(max_length=32, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="volunteers_shift_capacity_positive"),
            models.CheckConstraint(condition=Q(taken__gte=0), name="volunteers_shift_taken_not_negative"),
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="volunteers_shift_never_over"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="volunteers_shift_ends_later"
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} {self.place}"

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Signup(models.Model):
    """A volunteer's sign-up (报名) for a shift: confirmed (holds a place), awaiting approval, on the waiting list
    (promoted in order when a place frees), cancelled or not accepted. One live sign-up per person and shift."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=16, choices=SignupStatus.choices)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "shift__activity__area__path"
    scope_owner_field = "volunteer__user"

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=Q(status__in=LIVE_SIGNUPS),
                name="volunteers_signup_once_per_shift",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SignupStatus.values), name="volunteers_signup_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["shift", "status", "created_at"], name="volunteers_signup_queue")]

    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.shift_id} {self.status}"


class Attendance(models.Model):
    """One check-in/check-out pair (签到/签退) of a volunteer on a shift, by QR code or the organiser's roster; at most
    choices.MAX_PAIRS_PER_DAY per person, activity and day, and one open pair at a time."""

    signup = models.ForeignKey(Signup, on_delete=models.PROTECT, related_name="attendances")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()  # the check-in's day in Asia/Shanghai
    checked_in_at = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    method_in = models.CharField(max_length=8, choices=CheckMethod.choices)
    method_out = models.CharField(max_length=8, choices=CheckMethod.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["checked_in_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "shift"],
                condition=Q(checked_out_at__isnull=True),
                name="volunteers_attendance_one_open",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="volunteers_attendance_out_after_in",
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "activity", "day"], name="volunteers_attendance_day")]

    def __str__(self) -> str:
        return f"{self.volunteer_id}@{self.shift_id} {self.checked_in_at:%Y-%m-%d %H:%M}"


class HoursRecord(models.Model):
    """A service record (志愿服务记录): minutes of service on an activity, pending until an organiser confirms
    (STYLE.md §12), disputable by the volunteer; a 补录 (kind makeup) carries its reason and needs the approval of
    someone other than the volunteer. Only confirmed records count (totals, stars, certificates, the time bank)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours_records")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="hours_records")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="+")
    attendance = models.OneToOneField(
        Attendance, on_delete=models.PROTECT, null=True, blank=True, related_name="record"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_group = models.BooleanField(_("group activity"), default=False)
    kind = models.CharField(_("kind"), max_length=16, choices=HoursKind.choices)
    minutes = models.PositiveIntegerField(_("minutes"))
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"))
    status = models.CharField(_("status"), max_length=16, choices=HoursStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)  # a 补录's reason
    dispute_reason = models.CharField(_("dispute"), max_length=300, blank=True)
    claimed_minutes = models.PositiveIntegerField(_("minutes claimed"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "activity__area__path"
    scope_owner_field = "user"

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="volunteers_hours_minutes_range"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")), name="volunteers_hours_ends_later"
            ),
            models.CheckConstraint(
                condition=~Q(status=HoursStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="volunteers_hours_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HoursStatus.values), name="volunteers_hours_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["activity", "status"], name="volunteers_hours_queue")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.minutes} min {self.status}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


class RecordEntry(models.Model):
    """Training, an award or an evaluation in a volunteer's record (MCA order 67 Art. 6), by whom and when."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=RecordKind.choices)
    title = models.CharField(_("title"), max_length=120)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("training minutes"), default=0)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    issuer = models.CharField(_("by"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="volunteers_entry_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Certificate(models.Model):
    """A service certificate (志愿服务证明), issued in the name of the team that recorded the hours (谁记录谁证明谁负责),
    with a verification code anyone can check on the public page. Its figures are fixed at issue."""

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    team = models.ForeignKey(Team, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(_("minutes"))
    records = models.PositiveIntegerField(_("service records"))
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("service certificate")
        verbose_name_plural = _("service certificates")

    def __str__(self) -> str:
        return self.code

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)
