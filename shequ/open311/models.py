"""Open311 partner keys. Services and requests are the appeals module's categories and appeals (no copies)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A partner system's Open311 `api_key` (FixMyStreet, a district app, the hotline CRM), needed to POST.

    Only the SHA-256 of the key is stored; the key itself is printed once when it is created. `prefix` is the
    key's public first part: it names the key in lists, audit entries and revocation without revealing it.
    A key is never deleted, only revoked, so the audit trail keeps pointing at something.
    """

    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True, editable=False)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def audit_repr(self) -> str:
        return str(self)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PartnerRequest(models.Model):
    """Which partner key filed a service request: an appeal that came in on the open311 channel through a key.

    A partner may post updates (servicerequestupdates) only on the requests its own key filed; any other request
    looks to it exactly like a missing one. Written in the same transaction as the appeal
    (services.appeal_submit_from_partner). Requests filed before this table existed were taken from the audit
    trail (`appeal.partner_submit` entries) by the migration that created it.
    """

    appeal = models.OneToOneField(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="open311_request", verbose_name=_("appeal")
    )
    key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, related_name="requests", verbose_name=_("partner key")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner's service request")
        verbose_name_plural = _("partners' service requests")

    def __str__(self) -> str:
        return f"{self.key.prefix}: appeal {self.appeal_id}"
