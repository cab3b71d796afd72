"""Password policy and the change of a password.

Policy (等保 level 3: complexity): at least three of lower case, upper case, digits, symbols; and no word of this
platform's context (ASVS 6.1.2/6.2.11): the names an attacker tries first against a Shenzhen community platform,
the user's own username and phone.

`password_change` is the one way a signed-in user changes his password (the page in views_password.py calls it).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.services import audit_record

from . import throttle
from .models import User

# Barred from passwords whatever their case (ASVS 6.1.2, the documented list): the platform's and the city's names
# in Chinese and pinyin, and the city's service hotline. The username and the phone are added per user.
CONTEXT_WORDS = ("社区", "shequ", "深圳", "shenzhen", "12345")


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of: lower-case letters, upper-case letters, digits, "
            "symbols."
        ) % {"n": self.min_classes}


class ContextWordValidator:
    """Refuses a password containing a word of CONTEXT_WORDS, the username or the phone number (its 11 digits,
    separators ignored). Django's UserAttributeSimilarityValidator only compares the whole password with the
    username and names; this one catches them inside a longer password ("Shequ-lina-2026")."""

    def __init__(self, words: tuple[str, ...] | list[str] = CONTEXT_WORDS) -> None:
        self.words = tuple(w.casefold() for w in words)

    def _words_for(self, user) -> list[str]:
        words = list(self.words)
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= 3:
            words.append(username)
        phone = "".join(ch for ch in (getattr(user, "phone", "") or "") if ch.isdigit())
        if len(phone) >= 7:
            words.append(phone)
        return words

    def validate(self, password: str, user=None) -> None:
        folded = password.casefold()
        digits = "".join(ch for ch in password if ch.isdigit())
        for word in self._words_for(user):
            if word in folded or (word.isdigit() and len(word) >= 7 and word in digits):
                raise ValidationError(self.get_help_text(), code="password_context_word")

    def get_help_text(self) -> str:
        return _(
            "Your password must not contain the platform's or the city's name (社区, Shequ, 深圳, Shenzhen), 12345, "
            "your username or your phone number."
        )


def password_change(*, user: User, current: str, new: str, ip: str) -> list[str]:
    """Change the user's password after checking the current one; returns the reasons it was refused (empty when
    changed). Wrong current passwords count on the account's sign-in throttle: the form must not be a way around
    the lockout for someone holding a stolen session. Every other session of the user ends by itself: Django keeps
    an HMAC of the password hash in each session and flushes a session whose HMAC no longer matches on its next
    request, whatever the session engine (database or Redis); the caller keeps the current one
    (update_session_auth_hash)."""
    key = f"user:{user.pk}"
    locked = throttle.any_locked([key, f"ip:{ip}"])
    if locked:
        return [_("Too many failed attempts. Try again in %(n)d seconds.") % {"n": locked}]
    if not user.check_password(current):
        lock = max(throttle.record_failure(key), throttle.record_failure(f"ip:{ip}"))
        audit_record(action="auth.password_change_failed", actor=user, object_repr=user.username, ip=ip)
        if lock:
            return [_("Too many failed attempts. Try again in %(n)d seconds.") % {"n": lock}]
        return [_("The current password is wrong.")]
    if new == current:
        return [_("The new password must differ from the current one.")]
    try:
        validate_password(new, user)
    except ValidationError as exc:
        return list(exc.messages)
    with transaction.atomic():
        user.set_password(new)
        user.password_changed_at = timezone.now()
        had_temporary = user.password_must_change
        user.password_must_change = (
            False  # his own password now, no longer the one an administrator handed over
        )
        user.save(update_fields=["password", "password_changed_at", "password_must_change"])
        audit_record(
            action="auth.password_change",
            actor=user,
            object_repr=user.username,
            ip=ip,
            changes={"temporary_password": {"before": True, "after": False}} if had_temporary else None,
        )
    throttle.record_success(key)
    return []
