"""Residents and households (plan 6.1 社区服务块数据库: 人口). The most sensitive data on the platform.

ID numbers, phones and room addresses are encrypted at rest with keyed-hash columns for exact lookup; pages, API,
logs and exports show them masked; a reveal needs a role that allows it and a stated purpose, and is audited.
Residents under 14 (PIPL Art. 28) are visible only to roles with `residents.view_minors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField
from shequ.geo.models import Area

from .choices import Gender


class Tag(models.Model):
    """A special group a resident may belong to (低保, 特困, 残疾, 独居老人 …), kept as data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40)
    vulnerable = models.BooleanField(_("vulnerable group"), default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (户) at an address: an area (building or estate) and an encrypted room."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="households"
    )
    room = EncryptedTextField(_("room"), blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"{self.area.name} #{self.pk}"


class ResidentQuerySet(models.QuerySet["Resident"]):
    def minors(self, *, on=None) -> ResidentQuerySet:
        return self.filter(birth_date__gt=minor_cutoff(on))


def minor_cutoff(on=None):
    """Born after this date = under 14 today (in Asia/Shanghai)."""
    today = timezone.localdate() if on is None else on
    try:
        return today.replace(year=today.year - 14)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 14, day=28)


class Resident(models.Model):
    """A resident (居民) with real name, ID number (GB 11643) and phone; birth date and gender derive from the ID."""

    name = models.CharField(_("real name"), max_length=50)
    id_number = EncryptedTextField(
        _("ID number"), blind_index="id_number_hash", normalize="shequ.core.idnumbers.normalize_id_number"
    )
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone = EncryptedTextField(
        _("phone"),
        blank=True,
        default="",
        blind_index="phone_hash",
        normalize="shequ.core.idnumbers.normalize_phone",
    )
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"), db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    relation = models.CharField(_("relation to the head"), max_length=20, blank=True)
    # Denormalised from the household so that scoping is one indexed prefix filter.
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="residents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="resident"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

    scope_path_field = "area__path"
    scope_owner_field = "user"

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_minor(self) -> bool:
        return self.birth_date > minor_cutoff()
