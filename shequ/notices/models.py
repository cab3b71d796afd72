"""通知公告: notices that a community, a street or the city publishes to the residents of its area."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.geo.models import Area


class Notice(models.Model):
    """A notice (通知公告) to the residents of an area and everything under it.

    A resident sees the notices of his community and of every area above it (street, district, city), pinned
    first, newest first, from `published_at` until `expires_at`. Staff publish within the areas of their grants
    (shequ.notices.services.notice_publish); the staff list is scoped by `area__path` like everything else.
    """

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("body"), max_length=5000)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated for demos, not a fact")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [models.Index(fields=["area", "published_at"], name="notices_area_published")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(expires_at__gt=models.F("published_at")),
                name="notices_expires_after_publication",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audit_repr(self) -> str:
        return self.title[:60]
