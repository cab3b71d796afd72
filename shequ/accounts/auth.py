"""Signing in: staff with password + TOTP, residents with phone + password or a one-time code.

A staff account (a staff grant, or the Django admin's flags) signs in only through the staff path: the residents'
path refuses it with the answer a wrong password gets, so the page does not tell which accounts are staff. Every
attempt is throttled per account and per IP, and every failure and success is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.services import audit_record
from shequ.core.crypto import hash_lookup
from shequ.core.idnumbers import normalize_phone
from shequ.core.masking import mask_phone

from . import throttle
from .channels import SECRET, compose, sms_channel
from .models import Grant, OneTimeCode, User
from .roles import STAFF_ROLES


@dataclass
class LoginResult:
    user: User | None = None
    error: str = ""
    locked_seconds: int = 0
    # The demo channel only (演示通道, never in production): the text message as its recipient would read it, for
    # the page of the browser session that asked for it.
    demo_sms: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


def is_staff_user(user: User) -> bool:
    return Grant.objects.active().filter(user=user, role__in=STAFF_ROLES).exists()


def is_staff_account(user: User) -> bool:
    """Whoever may act as staff, in the console or in Django's admin: he signs in with password + TOTP only."""
    return user.is_staff or user.is_superuser or is_staff_user(user)


def find_user(identifier: str) -> User | None:
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None and any(ch.isdigit() for ch in identifier):
        try:
            user = User.objects.filter(**hash_lookup(User, "phone", identifier)).first()
        except Exception:  # not a phone number at all
            user = None
    return user


def _name_key(identifier: str) -> str:
    # Unknown names are throttled too, under a hash, so that lockouts do not reveal which accounts exist.
    return "name:" + hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]


def _masked(identifier: str) -> str:
    return mask_phone(identifier) if identifier.strip().isdigit() else identifier.strip()[:40]


def _locked_message(seconds: int) -> str:
    return _("Too many failed attempts. Try again in %(n)d seconds.") % {"n": seconds}


def login_with_password(*, identifier: str, password: str, ip: str, staff: bool) -> LoginResult:
    """Check the password. For staff the result is only the first factor: the caller then asks for TOTP."""
    user = find_user(identifier)
    keys = [f"ip:{ip}", f"user:{user.pk}" if user else _name_key(identifier)]
    locked = throttle.any_locked(keys)
    if locked:
        audit_record(action="auth.login_locked", actor=user, object_repr=_masked(identifier), ip=ip)
        return LoginResult(error=_locked_message(locked), locked_seconds=locked)
    checked = (
        authenticate(username=user.username, password=password)
        if user is not None and user.is_active
        else None
    )
    # The residents' path refuses staff accounts: a password alone must not open staff rights (no TOTP).
    staff_on_resident_path = checked is not None and not staff and is_staff_account(checked)
    if checked is None or (staff and not is_staff_account(checked)) or staff_on_resident_path:
        lock = max(throttle.record_failure(k) for k in keys)
        audit_record(
            action="auth.staff_on_resident_path" if staff_on_resident_path else "auth.login_failed",
            actor=user,
            object_repr=_masked(identifier),
            ip=ip,
        )
        if lock:
            return LoginResult(error=_locked_message(lock), locked_seconds=lock)
        return LoginResult(error=_("The account or password is wrong."))
    throttle.record_success(keys[1])
    return LoginResult(user=checked)


def totp_for(user: User) -> pyotp.TOTP:
    return pyotp.TOTP(user.totp_secret, issuer=settings.SHEQU_TOTP_ISSUER, name=user.username)


def totp_setup(user: User) -> str:
    """Give the user a fresh TOTP secret (unconfirmed until first successful code)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return user.totp_secret


def _totp_step(user: User, code: str) -> int | None:
    """The time step whose code this is, from one step before now to one after (clocks drift), or None."""
    totp = totp_for(user)
    now = totp.timecode(timezone.now())
    for step in (now + 1, now, now - 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_totp_step(user: User, step: int) -> bool:
    """Record the step as used, unless it or a newer one already was: one code completes one sign-in. One
    conditional UPDATE, so of two sign-ins racing with the same code only one claims it."""
    claimed = (
        User.objects.filter(pk=user.pk)
        .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
        .update(totp_last_step=step)
    )
    if claimed:
        user.totp_last_step = step
    return bool(claimed)


def verify_totp(*, user: User, code: str, ip: str) -> LoginResult:
    # The second factor's own counter: the password step clears "user:<id>", and must not clear the TOTP guesses
    # of someone who knows the password. Only a good code (or time) clears this one.
    key = f"totp:{user.pk}"
    locked = throttle.any_locked([key, f"ip:{ip}"])
    if locked:
        return LoginResult(error=_locked_message(locked), locked_seconds=locked)
    code = "".join(ch for ch in code if ch.isdigit())
    step = _totp_step(user, code) if user.totp_secret and len(code) == 6 else None
    if step is None or not _claim_totp_step(user, step):
        lock = max(throttle.record_failure(key), throttle.record_failure(f"ip:{ip}"))
        audit_record(action="auth.totp_failed", actor=user, object_repr=user.username, ip=ip)
        if lock:
            return LoginResult(error=_locked_message(lock), locked_seconds=lock)
        return LoginResult(error=_("The verification code is wrong or expired."))
    throttle.record_success(key)
    if user.totp_confirmed_at is None:
        user.totp_confirmed_at = timezone.now()
        user.save(update_fields=["totp_confirmed_at"])
    return LoginResult(user=user)


def _code_hash(phone_hash: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def _too_many_codes(seconds: int) -> str:
    return _("Too many codes asked for. Try again in %(n)d seconds.") % {"n": seconds}


def issue_code(phone_hash: str, code: str) -> None:
    """Store a new one-time code for the phone (only its keyed hash) and void the phone's earlier ones: only the
    newest code works. Sign-in and registration alike; call inside the transaction that sends it."""
    now = timezone.now()
    OneTimeCode.objects.filter(phone_hash=phone_hash, used_at__isnull=True).update(used_at=now)
    OneTimeCode.objects.create(
        phone_hash=phone_hash,
        code_hash=_code_hash(phone_hash, code),
        expires_at=now + timedelta(seconds=settings.SHEQU_OTP_TTL_SECONDS),
    )


def otp_send(*, phone: str, ip: str) -> LoginResult:
    """Send a sign-in code to a resident's phone. It always answers the same, whether the phone is a resident's,
    a staff member's or nobody's, so that phones cannot be probed; only a resident's gets a message.

    Sending is limited by its own windows, per phone (one a minute, ten a day) and per IP (generous: a carrier NAT
    puts many residents behind one address); it is no failed sign-in. The windows count whatever the phone is.
    """
    normalized = normalize_phone(phone)
    phone_hash = hash_lookup(User, "phone", normalized)["phone_hash"]
    wait = throttle.take_send(throttle.send_rules(phone_key=phone_hash[:32], ip=ip))
    if wait:
        return LoginResult(error=_too_many_codes(wait), locked_seconds=wait)
    channel = sms_channel()
    code = f"{secrets.randbelow(10**6):06d}"
    # The code travels beside the body, never in it: only a gateway's adapter puts the two together.
    body = _("Your Shequ sign-in code is %(code)s. It expires in 5 minutes.") % {"code": SECRET}
    user = User.objects.filter(phone_hash=phone_hash, is_active=True).first()
    if user is not None and is_staff_account(user):
        audit_record(
            action="auth.staff_on_resident_path",
            actor=user,
            object_repr=mask_phone(normalized),
            ip=ip,
            changes={"method": {"after": "sms_code"}},
        )
    elif user is not None:
        with transaction.atomic():
            issue_code(phone_hash, code)
            transaction.on_commit(
                lambda: channel.send(recipient=normalized, body=body, purpose="login", secret=code)
            )
    # The demo channel shows the message to the browser that asked (no phone receives it). For a phone that gets
    # nothing it shows a code that opens nothing, so that even the demo answers the same for every phone.
    return LoginResult(demo_sms=compose(body, code) if getattr(channel, "demo", False) else "")


def otp_verify(*, phone: str, code: str, ip: str) -> LoginResult:
    normalized = normalize_phone(phone)
    phone_hash = hash_lookup(User, "phone", normalized)["phone_hash"]
    keys = [f"ip:{ip}", f"otp:{phone_hash[:32]}"]
    locked = throttle.any_locked(keys)
    if locked:
        return LoginResult(error=_locked_message(locked), locked_seconds=locked)
    now = timezone.now()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        good = (
            otp is not None
            and otp.attempts < 5
            and hmac.compare_digest(otp.code_hash, _code_hash(phone_hash, code.strip()))
        )
        if otp is not None:
            otp.attempts += 1
            if good:
                otp.used_at = now
            otp.save(update_fields=["attempts", "used_at"])
    user = User.objects.filter(phone_hash=phone_hash, is_active=True).first() if good else None
    # A staff grant given after the code was sent: a code alone must not open staff rights either.
    staff = user is not None and is_staff_account(user)
    if user is None or staff:
        for k in keys:
            throttle.record_failure(k)
        audit_record(
            action="auth.staff_on_resident_path" if staff else "auth.otp_failed",
            actor=user,
            object_repr=mask_phone(normalized),
            ip=ip,
        )
        return LoginResult(error=_("The code is wrong or expired."))
    throttle.record_success(keys[1])
    throttle.clear_sends(phone_key=phone_hash[:32])
    return LoginResult(user=user)
