"""The facility registry (plan 5.1 设施; 15分钟服务圈): what serves residents near home, where and when it opens."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area

from .choices import HolidayRule


class FacilityType(models.Model):
    """A kind of community facility (党群服务中心, 社康, 长者服务站, 托育, 儿童之家, 文体, 警务室, 志愿服务站, 避难场所 …).

    The defaults are data (migration 0002); a city adds its own kinds as rows.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    icon = models.CharField(_("icon"), max_length=40, blank=True, help_text=_("Bootstrap icon name"))
    colour = models.CharField(
        _("colour"), max_length=7, default="#495057", help_text=_("Badge colour, #rrggbb")
    )
    sort = models.PositiveSmallIntegerField(_("sort"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("facility type")
        verbose_name_plural = _("facility types")

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    """A service facility residents can walk to: its place (WGS84), its public service phone and its hours.

    Facilities are public information: every read is public and none is scoped. `phone` is the facility's
    public service number (a landline or a hotline), never a person's mobile (services refuse mobiles).
    `hours` is the structure of shequ.facilities.hours; "open now" is computed in Asia/Shanghai with the
    platform's holiday calendar. lat/lng carry one composite index: "near me" first cuts a bounding box on it,
    then computes exact distances on the few rows inside.
    """

    name = models.CharField(_("name"), max_length=120)
    type = models.ForeignKey(
        FacilityType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="facilities"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Usually a community"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"))
    lng = models.FloatField(_("longitude (WGS84)"))
    phone = models.CharField(_("service phone"), max_length=30, blank=True)
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    holiday_rule = models.CharField(
        _("on public holidays"), max_length=16, choices=HolidayRule.choices, default=HolidayRule.AS_USUAL
    )
    holiday_note = models.CharField(_("holiday note"), max_length=200, blank=True)
    services = models.JSONField(_("services offered"), default=list, blank=True)
    accessible = models.BooleanField(_("barrier-free (无障碍)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated for demos, not a fact")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["type__sort", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        indexes = [models.Index(fields=["lat", "lng"], name="facilities_lat_lng")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90), name="facilities_lat_range"
            ),
            models.CheckConstraint(
                condition=models.Q(lng__gte=-180, lng__lte=180), name="facilities_lng_range"
            ),
            models.CheckConstraint(
                condition=models.Q(holiday_rule__in=HolidayRule.values), name="facilities_holiday_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name
