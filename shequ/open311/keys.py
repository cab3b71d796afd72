"""Partner keys: create (the key is shown once), revoke, authenticate. Every change is audited (STYLE.md §3).

A key reads "<prefix>.<secret>": the prefix (8 hex characters) names it in lists and audit entries, the secret
(256 random bits) is what makes it a key. Both are hashed together with SHA-256; with that much entropy a
plain hash is enough (no salt or slow hash needed: nobody can guess their way to a preimage).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError

from .conf import jurisdiction
from .models import ApiKey

# last_used_at is a hint for operators, not a log: write it at most once a minute per key.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def apikey_create(
    *, name: str, actor_username: str, jurisdiction_id: str | None = None
) -> tuple[ApiKey, str]:
    """A new key for a partner; returns the row and the key itself, which is not stored anywhere."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ShequError(gettext("A key needs a name of 1 to 80 characters."), fields={"name": name[:80]})
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=prefix,
            key_hash=key_hash(raw),
            jurisdiction=(jurisdiction_id or jurisdiction()).strip(),
        )
        audit_record(
            action="open311.key_create",
            actor_username=actor_username,
            obj=key,
            changes={
                "name": {"after": key.name},
                "prefix": {"after": key.prefix},
                "jurisdiction": {"after": key.jurisdiction},
            },
        )
    return key, raw


def apikey_revoke(*, prefix: str, actor_username: str) -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(prefix=(prefix or "").strip()).first()
        if key is None:
            raise NotFound(f"No Open311 key has the prefix {prefix!r}.", fields={"prefix": prefix})
        if key.revoked_at is not None:
            raise ShequError(
                f"The key {key} was already revoked on {key.revoked_at:%Y-%m-%d %H:%M}.",
                code="invalid_state",
                status=409,
            )
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            action="open311.key_revoke",
            actor_username=actor_username,
            obj=key,
            changes={"revoked_at": {"before": None, "after": key.revoked_at.isoformat()}},
        )
    return key


def apikey_authenticate(raw: str | None) -> ApiKey | None:
    """The active key for this jurisdiction that `raw` is, or None (missing, unknown, revoked or elsewhere)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    key = ApiKey.objects.filter(
        key_hash=key_hash(raw), revoked_at__isnull=True, jurisdiction=jurisdiction()
    ).first()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
