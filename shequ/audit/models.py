"""The audit trail: append-only, hash-chained entries and the anchors left by retention purges."""

from __future__ import annotations

import functools
import ipaddress
from datetime import UTC
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.chain import AppendOnlyError, AppendOnlyQuerySet, chain_hash

from .choices import AuditChannel

# The one definition of what an entry's hash covers besides its place in the trail (`seq` and `at`, which the
# chain's lock decides): the hash payload (`AuditEntry.hash_payload_without_position`), the columns the caller
# sends to PostgreSQL's append and the SQL of that append (`appendsql.append_function_sql`) are all read from it.
# A field added here is hashed, sent and inserted everywhere; a new migration re-installs the function
# (appendsql.py says how), and a test compares the installed function with the generated one.
HASHED_FIELDS = (
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "purpose",
    "ip",
    "channel",
    "request_id",
)


class AuditEntry(models.Model):
    """One entry of the audit trail (审计记录): who, in which role, did what to which object, when, from where,
    and for what purpose (等保 2.0 level 3 安全审计; PIPL).

    Every state change and every reveal of protected personal data writes one entry in the same transaction as
    the change. Entries are append-only (refused here, in the queryset and by database triggers) and
    hash-chained: `hash` = sha256(`prev_hash` + canonical JSON of the entry), so editing, deleting or inserting
    an entry is found by `manage.py verify_audit_chain`. Personal values in `object_repr` and `changes` are
    masked by the caller. Write entries only through `shequ.audit.services.audit_record`.

    The trail is a few chains side by side (`chain`, SHEQU_AUDIT_CHAINS on PostgreSQL, one on SQLite), each
    with a lock of its own, so that audited writes across the city do not all queue on one lock held to COMMIT.
    `prev_hash` links an entry to the previous entry of its chain; `seq` orders the whole trail.
    """

    seq = models.BigIntegerField(
        _("sequence"), unique=True, help_text=_("Order in the trail: increasing within a chain, from 1.")
    )
    chain = models.PositiveSmallIntegerField(_("chain"), default=0)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # Its index serves the PROTECT check when a user is deleted; the audit page filters by actor_username.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copied so the entry still says who it was if the account is renamed; also names non-user actors
    # ("system", "os:deploy"). Indexed through (actor_username, seq).
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    actor_role = models.CharField(_("actor's role"), max_length=40, blank=True)
    # Indexed through the (action, seq) index below.
    action = models.CharField(_("action"), max_length=80, help_text=_('For example "resident.reveal".'))
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=AuditChannel.choices)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    # Unique through the constraint in Meta (unique=True would add a LIKE index on PostgreSQL, useless for a hash).
    hash = models.CharField(_("hash"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_entry_hash_unique")]
        # The audit page filters by one of these and lists newest first (by seq), so seq closes each index.
        indexes = [
            models.Index(fields=["actor_username", "seq"], name="audit_entry_actor_seq"),
            models.Index(fields=["action", "seq"], name="audit_entry_action_seq"),
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_entry_object_seq"),
            # The head of a chain (every append reads it) and verification, chain by chain.
            models.Index(fields=["chain", "seq"], name="audit_entry_chain_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor_username or '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"audit entry #{self.seq} is append-only: it cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(f"audit entry #{self.seq} is append-only: it cannot be deleted")

    def hash_payload(self) -> dict[str, Any]:
        """The fields the hash covers, as they read back from the database (see shequ.core.chain.chain_hash)."""
        return {
            "seq": self.seq,
            "at": self.at.astimezone(UTC).isoformat(),
            **self.hash_payload_without_position(),
        }

    def hash_payload_without_position(self) -> dict[str, Any]:
        """The fields the hash covers but its place in the trail, which the chain's lock decides: seq and time."""
        payload = {name: getattr(self, name) for name in HASHED_FIELDS}
        payload["ip"] = _ip_key(self.ip)
        return payload

    def computed_hash(self) -> str:
        return chain_hash(self.prev_hash, self.hash_payload())


@functools.lru_cache(maxsize=4096)  # stored addresses: a request hashes its client's once per entry
def _ip_key(ip: str | None) -> str | None:
    # The address's bytes, not its text: Django, PostgreSQL's inet and Python versions print some IPv6 forms
    # differently (::ffff:192.0.2.1 vs ::ffff:c000:201), and the hash must not depend on who printed it.
    return ipaddress.ip_address(ip).packed.hex() if ip else None


class AuditAnchor(models.Model):
    """A retention purge of the audit trail (审计记录保存期限届满后的清理): up to which entry of a chain it deleted
    and that entry's hash, so the rest of the chain stays verifiable from here. One row per purge and chain; the
    latest anchor of a chain is where its verification starts. Anchors are never changed or deleted (database
    triggers refuse it).
    """

    chain = models.PositiveSmallIntegerField(_("chain"), default=0)
    purged_through_seq = models.BigIntegerField(_("purged through sequence"), unique=True)
    last_hash = models.CharField(_("hash of the last purged entry"), max_length=64)
    purged_count = models.PositiveBigIntegerField(_("entries purged"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor_username = models.CharField(_("purged by"), max_length=150)
    reason = models.TextField(_("reason"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-purged_through_seq"]
        verbose_name = _("audit purge anchor")
        verbose_name_plural = _("audit purge anchors")

    def __str__(self) -> str:
        return f"chain {self.chain} purged through #{self.purged_through_seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit anchors are append-only: they cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit anchors are append-only: they cannot be deleted")
