"""Signing in: staff with password + TOTP, residents with phone + password or a one-time code.

Every attempt is throttled per account and per IP, and every failure and success is audited.
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
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.services import audit_record
from shequ.core.crypto import hash_lookup
from shequ.core.idnumbers import normalize_phone
from shequ.core.masking import mask_phone

from . import throttle
from .channels import sms_channel
from .models import Grant, OneTimeCode, User
from .roles import STAFF_ROLES


@dataclass
class LoginResult:
    user: User | None = None
    error: str = ""
    locked_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.user is not None


def is_staff_user(user: User) -> bool:
    return Grant.objects.active().filter(user=user, role__in=STAFF_ROLES).exists()


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
    if checked is None or (staff and not is_staff_user(checked)):
        lock = max(throttle.record_failure(k) for k in keys)
        audit_record(action="auth.login_failed", actor=user, object_repr=_masked(identifier), ip=ip)
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


def verify_totp(*, user: User, code: str, ip: str) -> LoginResult:
    key = f"user:{user.pk}"
    locked = throttle.any_locked([key, f"ip:{ip}"])
    if locked:
        return LoginResult(error=_locked_message(locked), locked_seconds=locked)
    code = "".join(ch for ch in code if ch.isdigit())
    if not user.totp_secret or len(code) != 6 or not totp_for(user).verify(code, valid_window=1):
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


def otp_send(*, phone: str, ip: str) -> LoginResult:
    """Send a sign-in code to a resident's phone (always answers the same, so phones cannot be probed)."""
    normalized = normalize_phone(phone)
    phone_hash = hash_lookup(User, "phone", normalized)["phone_hash"]
    keys = [f"ip:{ip}", f"phone:{phone_hash[:32]}"]
    locked = throttle.any_locked(keys)
    if locked:
        return LoginResult(error=_locked_message(locked), locked_seconds=locked)
    # Sending is itself rate-limited: each send counts as a "failure" until the code is used.
    for k in keys:
        throttle.record_failure(k)
    user = User.objects.filter(phone_hash=phone_hash, is_active=True).first()
    if user is not None:
        code = f"{secrets.randbelow(10**6):06d}"
        with transaction.atomic():
            OneTimeCode.objects.filter(phone_hash=phone_hash, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            OneTimeCode.objects.create(
                phone_hash=phone_hash,
                code_hash=_code_hash(phone_hash, code),
                expires_at=timezone.now() + timedelta(seconds=settings.SHEQU_OTP_TTL_SECONDS),
            )
            body = _("Your Shequ sign-in code is %(code)s. It expires in 5 minutes.") % {"code": code}
            transaction.on_commit(
                lambda: sms_channel().send(recipient=normalized, body=body, purpose="login")
            )
    return LoginResult()


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
    if user is None:
        for k in keys:
            throttle.record_failure(k)
        audit_record(action="auth.otp_failed", object_repr=mask_phone(normalized), ip=ip)
        return LoginResult(error=_("The code is wrong or expired."))
    throttle.record_success(keys[1])
    throttle.record_success(f"phone:{phone_hash[:32]}")
    return LoginResult(user=user)
