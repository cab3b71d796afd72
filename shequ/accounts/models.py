"""People and organisations: users (residents and staff), the units that handle work, and the grants that say
who may do what where (DESIGN.md §4). Also the machinery of signing in: API tokens, login throttles, one-time
codes and the message outbox through which codes leave."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.geo.models import Area

from .choices import UnitKind
from .roles import Role


class User(AbstractUser):
    """A person who signs in: a resident or a member of staff. What he may do comes from his grants."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = EncryptedTextField(
        _("phone"),
        blank=True,
        default="",
        blind_index="phone_hash",
        normalize="shequ.core.idnumbers.normalize_phone",
    )
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    # Given, optionally, when a resident registers (accounts.registration): protected personal data, encrypted at
    # rest like the phone; the ID number's keyed hash allows an exact match and nothing else.
    real_name = EncryptedTextField(_("real name"), blank=True, default="")
    id_number = EncryptedTextField(
        _("ID number"),
        blank=True,
        default="",
        blind_index="id_number_hash",
        normalize="shequ.core.idnumbers.normalize_id_number",
    )
    id_number_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The message centre's preference (shequ.messages): also by text message, besides the inbox. On by default, as
    # the platform texted before the centre existed.
    sms_notifications = models.BooleanField(_("also by text message"), default=True)
    totp_secret = EncryptedTextField(_("TOTP secret"), blank=True, default="")
    totp_confirmed_at = models.DateTimeField(_("TOTP confirmed at"), null=True, blank=True)
    # The time step (pyotp's 30-second counter) of the last TOTP code accepted: a code of this step or an older
    # one is refused, so one code completes one sign-in.
    totp_last_step = models.BigIntegerField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Set when an administrator hands over a temporary password (a new account, a reset): the next sign-in goes
    # to the password page first (accounts.middleware.PasswordChangeRequiredMiddleware), cleared by a change.
    password_must_change = models.BooleanField(_("must change the password at next sign-in"), default=False)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    objects = UserManager()  # type: ignore[misc]  # django-stubs types the base manager as a ClassVar

    class Meta:
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Unit(models.Model):
    """An organisation that handles work (区职能局, 街道办, 社区工作站, 社康, 物业公司, 社会组织), placed in an area."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices, db_index=True)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class GrantQuerySet(models.QuerySet["Grant"]):
    def active(self) -> GrantQuerySet:
        now = timezone.now()
        return self.filter(status=GrantStatus.ACTIVE).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=now)
        )


class Grant(models.Model):
    """A user holds a role over an area (and everything under it), optionally on behalf of a unit.

    Grants are created by the security admin; a system admin may only request one, which stays pending until
    the security admin approves it (三员分立). A revoked grant is kept for the record, never deleted.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [models.Index(fields=["user", "status"], name="accounts_grant_user_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                condition=models.Q(status="active"),
                name="accounts_grant_one_active_per_role_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.area.code}"


class ApiToken(models.Model):
    """A bearer token for programs. Only a hash is stored; the token is shown once when issued."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginThrottle(models.Model):
    """Failed sign-ins per key ("user:<id>", "ip:<addr>", "phone:<hash>") with an exponential lock."""

    key = models.CharField(max_length=100, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class SendCounter(models.Model):
    """Text messages asked for per key in a fixed window ("sms:phone:<hash>:60", "sms:ip:<addr>:3600"): the limits
    on sending codes, kept apart from the failed sign-in counters (LoginThrottle)."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class OneTimeCode(models.Model):
    """A sign-in code sent to a resident's phone: stored hashed, short-lived, few attempts."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code {self.pk} ({'used' if self.used_at else 'open'})"


class OutboxMessage(models.Model):
    """A message kept by the demo channel (演示通道, the embedded default) for the console; a secret it carried
    (a sign-in code) is stored masked. Production sends through a gateway and writes nothing here."""

    channel = models.CharField(max_length=20, default="sms")
    recipient = EncryptedTextField(_("recipient"))
    recipient_masked = models.CharField(max_length=40)
    body = models.TextField()
    purpose = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient_masked}"
