"""Login lockout with exponential back-off, per account and per IP (等保: 登录失败处理), and the limits on sending
text-message codes.

After `free` failures a key is locked for `base` seconds, doubling with each further failure up to `cap`. The
password step counts on "user:<id>", the second factor on its own "totp:<id>", so that a right password never
clears the TOTP guesses. Sending a code is no failure: it counts on its own windows (SendCounter), per phone and
per IP, so that many residents behind one carrier NAT can each get a code while one phone cannot be flooded.
Counters live in the database so every web process sees the same lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LoginThrottle, SendCounter


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


# --- sending limits ----------------------------------------------------------------------------------------------
def send_rules(*, phone_key: str, ip: str) -> list[tuple[str, int, int]]:
    """(counter key, messages allowed, window in seconds) for one code sent to a phone from an address."""
    limits = settings.SHEQU_SMS_SEND_LIMITS
    rules = [(f"sms:phone:{phone_key}:{window}", limit, window) for limit, window in limits["phone"]]
    rules += [(f"sms:ip:{ip}:{window}", limit, window) for limit, window in limits["ip"]]
    return rules


def take_send(rules: list[tuple[str, int, int]]) -> int:
    """Count one message against every rule, or against none if any window is used up: the seconds until that
    window ends (0 = send). The rows are locked in the rules' order, the same in every request."""
    now = timezone.now()
    with transaction.atomic():
        rows, wait = [], 0
        for key, limit, window in rules:
            row, _ = SendCounter.objects.select_for_update().get_or_create(
                key=key, defaults={"window_ends_at": now + timedelta(seconds=window)}
            )
            if row.window_ends_at <= now:  # a fixed window: a new one starts with this message
                row.count, row.window_ends_at = 0, now + timedelta(seconds=window)
            if row.count >= limit:
                wait = max(wait, math.ceil((row.window_ends_at - now).total_seconds()))
            rows.append(row)
        if wait:
            return wait
        for row in rows:
            row.count += 1
            row.save(update_fields=["count", "window_ends_at"])
    return 0


def clear_sends(*, phone_key: str) -> None:
    """A code was used: the phone's owner has it, so his phone's sending windows start again."""
    SendCounter.objects.filter(key__startswith=f"sms:phone:{phone_key}:").delete()
