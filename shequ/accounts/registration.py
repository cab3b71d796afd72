"""A resident registers with a phone and a text-message code (issue 21); real name and ID number are optional.

The answer never tells whether a phone already has an account (no probing): every phone gets the same message and
the same pages. For a phone that already belongs to a resident the code simply signs him in to that account (his
name and ID number are not changed by someone holding only a code); a staff account's phone gets no code at all,
and its attempt is audited, as on the sign-in path (staff sign in with password + TOTP only).

Sending is limited by the sign-in code's own windows (per phone and per IP); wrong codes count on the same
lockout keys as a sign-in with a code. Registering is idempotent: the code's row is locked while the account is
looked up and created, so one phone never gets two accounts, and the same code sent again within
`REPLAY_SECONDS` of its use (a double press, a reload) ends where the first did, signed in to the same account.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.services import audit_record
from shequ.core.crypto import hash_lookup
from shequ.core.idnumbers import normalize_phone, validate_id_number
from shequ.core.masking import mask_phone

from . import throttle
from .auth import _code_hash, _locked_message, _too_many_codes, is_staff_account, issue_code
from .channels import SECRET, compose, sms_channel
from .models import OneTimeCode, User

REPLAY_SECONDS = 120
MAX_ATTEMPTS = 5


@dataclass
class RegisterResult:
    user: User | None = None
    created: bool = False
    error: str = ""
    fields: dict[str, str] | None = None
    locked_seconds: int = 0
    demo_sms: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None


def _phone_hash(normalized: str) -> str:
    return hash_lookup(User, "phone", normalized)["phone_hash"]


def account_register_send_code(*, phone: str, ip: str) -> RegisterResult:
    """Send a registration code: the same answer for every phone."""
    normalized = normalize_phone(phone)
    phone_hash = _phone_hash(normalized)
    wait = throttle.take_send(throttle.send_rules(phone_key=phone_hash[:32], ip=ip))
    if wait:
        return RegisterResult(error=_too_many_codes(wait), locked_seconds=wait)
    channel = sms_channel()
    code = f"{secrets.randbelow(10**6):06d}"
    # One wording for new and registered phones: the demo channel shows it to the browser that asked.
    body = _("Your Shequ verification code is %(code)s. It expires in 5 minutes.") % {"code": SECRET}
    existing = User.objects.filter(phone_hash=phone_hash, is_active=True).first()
    if existing is not None and is_staff_account(existing):
        audit_record(
            action="auth.staff_on_resident_path",
            actor=existing,
            object_repr=mask_phone(normalized),
            ip=ip,
            changes={"method": {"after": "register"}},
        )
    else:
        with transaction.atomic():
            issue_code(phone_hash, code)
            audit_record(action="account.register_code_sent", object_repr=mask_phone(normalized), ip=ip)
            transaction.on_commit(
                lambda: channel.send(recipient=normalized, body=body, purpose="register", secret=code)
            )
    return RegisterResult(demo_sms=compose(body, code) if getattr(channel, "demo", False) else "")


def _clean_details(real_name: str, id_number: str) -> tuple[str, str, dict[str, str]]:
    fields: dict[str, str] = {}
    name = (real_name or "").strip()
    if len(name) > 50:
        fields["real_name"] = _("At most 50 characters.")
    number = ""
    if (id_number or "").strip():
        try:
            number = validate_id_number(id_number)
        except ValidationError as exc:
            fields["id_number"] = " ".join(exc.messages)
    return name, number, fields


def account_register(
    *, phone: str, code: str, real_name: str = "", id_number: str = "", ip: str
) -> RegisterResult:
    """Check the code, then create the resident's account, or, for a phone that has one, sign in to it."""
    name, number, fields = _clean_details(real_name, id_number)
    if fields:  # checked before the code, so a typo costs no attempt
        return RegisterResult(error=_("Some fields are not valid."), fields=fields)
    normalized = normalize_phone(phone)
    phone_hash = _phone_hash(normalized)
    keys = [f"ip:{ip}", f"otp:{phone_hash[:32]}"]
    locked = throttle.any_locked(keys)
    if locked:
        return RegisterResult(error=_locked_message(locked), locked_seconds=locked)
    digits = "".join(ch for ch in code if ch.isdigit())
    now = timezone.now()
    with transaction.atomic():
        # The newest code of the phone, locked: two presses of the button queue here.
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_hash=phone_hash, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        matches = (
            otp is not None
            and otp.attempts < MAX_ATTEMPTS
            and hmac.compare_digest(otp.code_hash, _code_hash(phone_hash, digits))
        )
        fresh = matches and otp is not None and otp.used_at is None
        replay = (
            matches
            and otp is not None
            and otp.used_at is not None
            and (now - otp.used_at).total_seconds() <= REPLAY_SECONDS
        )
        user = User.objects.select_for_update().filter(phone_hash=phone_hash, is_active=True).first()
        staff = user is not None and is_staff_account(user)
        if otp is not None and otp.used_at is None:
            otp.attempts += 1
            if fresh and not staff:
                otp.used_at = now
            otp.save(update_fields=["attempts", "used_at"])
        created = False
        if (fresh or (replay and user is not None)) and not staff:
            if user is None:
                user = User(
                    username=f"r{secrets.token_hex(8)}",
                    phone=normalized,
                    display_name=name,
                    real_name=name,
                    id_number=number,
                )
                user.set_unusable_password()
                user.save()
                created = True
                audit_record(
                    action="account.register",
                    actor=user,
                    obj=user,
                    object_repr=mask_phone(normalized),
                    ip=ip,
                    changes={
                        "real_name": {"after": bool(name)},  # whether given, never the value
                        "id_number": {"after": bool(number)},
                    },
                )
            elif fresh:
                audit_record(
                    action="account.register_existing", actor=user, object_repr=mask_phone(normalized), ip=ip
                )
            ok_user: User | None = user
        else:
            ok_user = None
    if ok_user is None:
        for k in keys:
            throttle.record_failure(k)
        audit_record(
            action="auth.staff_on_resident_path" if staff else "account.register_failed",
            actor=user if staff else None,
            object_repr=mask_phone(normalized),
            ip=ip,
        )
        return RegisterResult(error=_("The code is wrong or expired."))
    throttle.record_success(keys[1])
    throttle.clear_sends(phone_key=phone_hash[:32])
    return RegisterResult(user=ok_user, created=created)
