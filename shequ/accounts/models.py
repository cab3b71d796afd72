"""People and organisations: users (residents and staff) and the units that handle work."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area

from .choices import UnitKind


class User(AbstractUser):
    """A person who signs in: a resident or a member of staff. Roles come from grants (next issue)."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)

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
