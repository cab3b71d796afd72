"""Login lockout with exponential back-off, per account and per IP (等保: 登录失败处理).

After `free` failures a key is locked for `base` seconds, doubling with each further failure up to `cap`.
Counters live in the database so every web process sees the same lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    free: int
    base_seconds: int
    cap_seconds: int


def policy_for(key: str) -> Policy:
    conf = settings.SHEQU_LOGIN_THROTTLE
    kind = key.split(":", 1)[0]
    return Policy(**conf.get(kind, conf["user"]))


def locked_for(key: str) -> int:
    """Seconds until the key may try again (0 = not locked)."""
    row = LoginThrottle.objects.filter(key=key).only("locked_until").first()
    if row is None or row.locked_until is None:
        return 0
    remaining = (row.locked_until - timezone.now()).total_seconds()
    return max(0, int(remaining + 0.999))


def any_locked(keys: list[str]) -> int:
    return max((locked_for(k) for k in keys), default=0)


def record_failure(key: str) -> int:
    """Count a failure; return the lock in seconds it now carries."""
    policy = policy_for(key)
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(key=key)
        row.failures += 1
        row.last_failure_at = now
        lock = 0
        if row.failures >= policy.free:
            lock = min(policy.cap_seconds, policy.base_seconds * 2 ** (row.failures - policy.free))
            row.locked_until = now + timedelta(seconds=lock)
        row.save()
    return lock


def record_success(key: str) -> None:
    LoginThrottle.objects.filter(key=key).delete()


def unlock(key: str) -> int:
    deleted, _ = LoginThrottle.objects.filter(key=key).delete()
    return deleted
