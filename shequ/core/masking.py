"""Masking of personal data for display, exports and logs (PIPL; 等保 2.0 level 3: masked by default).

The mask_* functions turn one known value into its display form; `redact` finds ID numbers and mobile phones
in free text (appeal descriptions, log lines) and masks them; `PersonalDataLogFilter` applies `redact` to every
log record so no handler ever writes an unmasked identifier.

Every mask hides the birth date of an ID number and the middle of a phone number, and tolerates None, "" and
values too short or odd to have the expected shape (they are masked generically, never returned as they are).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from .idnumbers import id_number_check_digit, normalize_phone

STARS = "****"

# Full-width digits and X, as typed with Chinese input methods, are folded to ASCII before scanning. The map is
# one character to one character, so match positions in the folded text are positions in the original.
_FOLD = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x"})

_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = rf"[1-9][0-9]{{5}}(?:18|19|20)[0-9]{{2}}{_DATE}[0-9]{{3}}[0-9Xx]"
_ID15 = rf"[1-9][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}}"
# An optional +86 / 0086 / 86 prefix, then 11 digits written whole or as 3-4-4 with spaces or dashes.
_MOBILE = r"(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[0-9]{8}|[ -][0-9]{4}[ -][0-9]{4})"
# No digit may touch a match: a 20-digit building code or a long order number contains no "ID number".
_BEFORE, _AFTER = r"(?<![0-9])", r"(?![0-9])"

PERSONAL_PATTERNS: dict[str, re.Pattern[str]] = {
    "id_number": re.compile(rf"{_BEFORE}(?:{_ID18}|{_ID15}){_AFTER}"),
    "phone": re.compile(rf"{_BEFORE}{_MOBILE}{_AFTER}"),
}
_ANY = re.compile(rf"{_BEFORE}(?:(?P<id18>{_ID18})|(?P<id15>{_ID15})|(?P<phone>{_MOBILE})){_AFTER}")
# A hash digest (32 or more hex characters, as the audit chain shows) or a UUID is a machine value: an 11-digit run
# between its letters is chance, not a phone number.
_HEX = "[0-9a-fA-F]"
_DIGEST = re.compile(
    rf"(?<![0-9A-Za-z])(?:{_HEX}{{32,}}|{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}})(?![0-9A-Za-z])"
)


def _personal_matches(folded: str) -> list[re.Match[str]]:
    """The matches of _ANY in folded text, leaving out those inside a digest or a UUID."""
    matches = list(_ANY.finditer(folded))
    if not matches:
        return matches
    digests = [found.span() for found in _DIGEST.finditer(folded)]
    return [m for m in matches if not any(start <= m.start() and m.end() <= end for start, end in digests)]


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _mask_generic(text: str) -> str:
    """At most the last quarter shows (up to 4 characters); short values are masked entirely."""
    if len(text) <= 3:
        return "*" * len(text)
    shown = min(4, len(text) // 4)
    return "*" * (len(text) - shown) + text[len(text) - shown :]


def mask_phone(value: object) -> str:
    """ "13812345678" → "138****5678"; "0755-83451234" → "0755-****1234"."""
    text = _text(value).translate(_FOLD)
    if not text:
        return ""
    digits = normalize_phone(text)
    if re.fullmatch(r"1[3-9][0-9]{9}", digits):
        return f"{digits[:3]}{STARS}{digits[-4:]}"
    if re.fullmatch(r"0[1-9][0-9]{8,10}", digits):
        area = 3 if digits[1] in "12" else 4
        return f"{digits[:area]}-{STARS}{digits[-4:]}"
    return _mask_generic(text)


def mask_id_number(value: object) -> str:
    """ "440308199001011234" → "440308********1234": the region shows, the birth date never does."""
    text = "".join(_text(value).split()).translate(_FOLD).upper()
    if len(text) == 18:
        return f"{text[:6]}{'*' * 8}{text[-4:]}"
    if len(text) == 15:
        # A first-generation number ends with its 3-digit sequence code right after the birth date (YYMMDD).
        return f"{text[:6]}{'*' * 6}{text[-3:]}"
    return _mask_generic(text)


def mask_name(value: object) -> str:
    """ "张伟" → "张*", "欧阳娜娜" → "欧***": only the first character shows; a one-character name is "*"."""
    text = _text(value)
    if len(text) <= 1:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 1)


def mask_address(value: object) -> str:
    """The first 6 characters (about the city and district) and a fixed "****" that hides the length.

    A short address shows at most half of itself.
    """
    text = _text(value)
    if not text:
        return ""
    return text[: min(6, len(text) // 2)] + STARS


def mask_email(value: object) -> str:
    """ "zhangwei@example.com" → "z***@example.com"."""
    text = _text(value)
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return _mask_generic(text)
    return f"{local[0]}***@{domain}" if len(local) > 1 else f"*@{domain}"


def redact(text: object) -> str:
    """Free text with every ID number (checksum or not) and every mainland mobile number masked."""
    original = "" if text is None else str(text)
    folded = original.translate(_FOLD)
    pieces: list[str] = []
    end = 0
    for match in _personal_matches(folded):
        pieces.append(original[end : match.start()])
        found = match.group()
        pieces.append(mask_phone(found) if match.group("phone") else mask_id_number(found))
        end = match.end()
    pieces.append(original[end:])
    return "".join(pieces)


def _is_real_id(found: str) -> bool:
    if len(found) != 18:
        return True  # a first-generation number has no check digit; its shape and date are all there is
    return id_number_check_digit(found[:17]) == found[17].upper()


def find_unmasked(text: object) -> list[str]:
    """The unmasked ID numbers (18-character ones only with a valid check digit) and mobiles found in text."""
    original = "" if text is None else str(text)
    folded = original.translate(_FOLD)
    return [
        original[match.start() : match.end()]
        for match in _personal_matches(folded)
        if match.group("phone") or _is_real_id(match.group())
    ]


MASKS: dict[str, Callable[[object], str]] = {
    "phone": mask_phone,
    "id_number": mask_id_number,
    "name": mask_name,
    "address": mask_address,
    "email": mask_email,
    "text": redact,
}


def mask(kind: str, value: object) -> str:
    """The mask of `kind` ("phone", "id_number", "name", "address", "email" or "text" for free text)."""
    try:
        masker = MASKS[kind]
    except KeyError:
        raise ValueError(f"Unknown kind of personal data {kind!r}; known kinds: {', '.join(MASKS)}") from None
    return masker(value)


class PersonalDataLogFilter(logging.Filter):
    """Redacts ID numbers and mobiles from every record: the message with its arguments, tracebacks and stacks.

    Attach it to handlers (a logger's filters do not see records propagated from child loggers). It formats
    the message itself and sets args to None, so a later handler cannot re-format the original arguments.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not let its arguments through unredacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
