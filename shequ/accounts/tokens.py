"""Bearer tokens for programs: `shq_<prefix>_<secret>`; only sha256(token) is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shequ.audit.services import audit_record

from .models import ApiToken, User

TOKEN_PREFIX = "shq"  # noqa: S105 - a public marker, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *,
    user: User,
    name: str = "",
    days: int | None = 90,
    actor: User | None = None,
    channel: str | None = None,
) -> tuple[ApiToken, str]:
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=_hash(raw),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit_record(
        action="token.issue",
        actor=actor,
        obj=token,
        object_repr=f"{prefix}… for {user.username}",
        changes={
            "expires_at": {
                "before": None,
                "after": token.expires_at.isoformat() if token.expires_at else None,
            }
        },
        channel=channel,
    )
    return token, raw


def token_authenticate(raw: str) -> User | None:
    """The token's user if the token is genuine, unexpired and unrevoked; else None."""
    parts = raw.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.token_hash, _hash(raw)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    # Touch at most once a minute: a busy program must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, prefix: str, actor: User | None = None, channel: str | None = None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(prefix=prefix)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="token.revoke", actor=actor, obj=token, object_repr=f"{prefix}…", channel=channel)
    return token
