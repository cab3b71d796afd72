"""The shift's rotating check-in code (DESIGN.md §2 "Check-in by QR"): a signed, short-lived token per shift.

A token is "<shift id>.<window>.<mac>": the window is the 30-second step it was made in, the mac an HMAC (keyed by
SECRET_KEY through Django's salted_hmac) over the shift id, the window and the shift's own `qr_key`. It is accepted
in its window and the next (at most a minute old), only for its shift. A screenshot passed on to someone not at the
place expires within the minute; a token made for one shift never opens another, and rotating `qr_key` voids every
token of a shift. The organiser's screen shows the QR of `scan_url(token)`; the volunteer's phone opens that URL.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
ACCEPTED_WINDOWS = 2  # the current window and the one before it


class TokenError(ValueError):
    """Why a token was refused: "invalid" (forged, mangled, another shift's) or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _window(at: datetime | None) -> int:
    return int((at or timezone.now()).timestamp()) // WINDOW_SECONDS


def _mac(shift_id: int, window: int, key: str) -> str:
    return salted_hmac("shequ.volunteers.qr", f"{shift_id}.{window}.{key}", algorithm="sha256").hexdigest()[
        :24
    ]


def shift_token(shift, *, at: datetime | None = None) -> str:
    window = _window(at)
    return f"{shift.pk}.{window}.{_mac(shift.pk, window, shift.qr_key)}"


def token_shift_id(token: str) -> int:
    """The shift a token names (unverified): the caller loads the shift, then calls `token_verify`."""
    head, _sep, _rest = (token or "").partition(".")
    if not head.isdigit():
        raise TokenError("invalid")
    return int(head)


def token_verify(token: str, shift, *, at: datetime | None = None) -> None:
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise TokenError("invalid")
    shift_id, window = int(parts[0]), int(parts[1])
    if shift_id != shift.pk or not constant_time_compare(parts[2], _mac(shift_id, window, shift.qr_key)):
        raise TokenError("invalid")
    now = _window(at)
    if window > now or now - window >= ACCEPTED_WINDOWS:
        raise TokenError("expired")


def scan_path(token: str) -> str:
    return reverse("volunteers:scan", args=[token])
