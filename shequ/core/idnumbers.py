"""Citizen ID numbers (GB 11643-1999) and mainland phone numbers: validation, normalisation, synthetic data.

Validation normalises what people type (full-width digits from Chinese input methods, spaces, a lower-case x,
a +86 prefix) and says precisely what is wrong, because residents and staff fix what they are told about.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

Gender = Literal["male", "female"]

# GB 11643-1999 §8.2 (ISO 7064 MOD 11-2): weight of each of the first 17 digits, and the check character for
# each remainder of the weighted sum modulo 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

ID_NUMBER_ERROR = "invalid_id_number"
PHONE_ERROR = "invalid_phone"

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{8,10}")
# What a phone number may be typed with; anything else (letters, a second "+") is refused, not silently dropped.
_PHONE_INPUT = re.compile(r"\+?[0-9 ()\-.]+")


def _fold(value: object) -> str:
    """NFKC turns full-width digits and letters into ASCII; whitespace anywhere is dropped."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split())


def _parse_yyyymmdd(text: str) -> date | None:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


# --- citizen ID numbers ----------------------------------------------------------------------------------------


def id_number_check_digit(first17: str) -> str:
    """The check character ("0"–"9" or "X") of the 17 digits that precede it."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("The check digit is computed from exactly 17 digits.")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """The 18-character ID number, normalised (no spaces, upper-case X), or ValidationError saying what is wrong."""
    number = _fold(value).upper()
    if len(number) != 18:
        if len(number) == 15 and number.isascii() and number.isdigit():
            raise ValidationError(
                _(
                    "This is a 15-digit first-generation ID number, which is no longer valid: "
                    "enter the 18-character number of the current card."
                ),
                code=ID_NUMBER_ERROR,
            )
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(length)d."),
            code=ID_NUMBER_ERROR,
            params={"length": len(number)},
        )
    body, last = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or last not in "0123456789X":
        raise ValidationError(
            _("An ID number has only digits, and X can only be its last character."), code=ID_NUMBER_ERROR
        )
    if number[0] == "0":
        raise ValidationError(
            _("The region code %(region)s is not valid: it cannot start with 0."),
            code=ID_NUMBER_ERROR,
            params={"region": number[:6]},
        )
    birth_text = number[6:14]
    birth = _parse_yyyymmdd(birth_text)
    if birth is None:
        raise ValidationError(
            _("The birth date %(birth)s is not a real date."),
            code=ID_NUMBER_ERROR,
            params={"birth": birth_text},
        )
    if birth < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("The birth date %(birth)s is before 1900."), code=ID_NUMBER_ERROR, params={"birth": birth_text}
        )
    if birth > (today or timezone.localdate()):
        raise ValidationError(
            _("The birth date %(birth)s is in the future."),
            code=ID_NUMBER_ERROR,
            params={"birth": birth_text},
        )
    expected = id_number_check_digit(body)
    if last != expected:
        raise ValidationError(
            _("The check digit is wrong: it should be %(expected)s."),
            code=ID_NUMBER_ERROR,
            params={"expected": expected},
        )
    return number


def _any_generation(value: str) -> str:
    """A valid 18-character number, or a well-formed 15-digit first-generation one (which has no check digit).

    Stored records and old paperwork still carry 15-digit numbers, so reading birth date and gender accepts
    them even though validate_id_number refuses them as new input.
    """
    number = _fold(value).upper()
    if len(number) == 15 and number.isascii() and number.isdigit():
        if number[0] == "0" or _parse_yyyymmdd("19" + number[6:12]) is None:
            raise ValidationError(
                _("This 15-digit ID number has an invalid region code or birth date."), code=ID_NUMBER_ERROR
            )
        return number
    return validate_id_number(number)


def id_number_birth_date(value: str) -> date:
    """The holder's birth date (a first-generation 15-digit number writes the year with two digits, 19YY)."""
    number = _any_generation(value)
    text = number[6:14] if len(number) == 18 else "19" + number[6:12]
    birth = _parse_yyyymmdd(text)
    assert birth is not None  # both generations were checked above
    return birth


def id_number_gender(value: str) -> Gender:
    """ "male" when the sequence code is odd (the 17th digit, or the 15th of a first-generation number)."""
    number = _any_generation(value)
    digit = int(number[16] if len(number) == 18 else number[14])
    return "male" if digit % 2 else "female"


def id_region_of(area_code: str) -> str:
    """The six-digit administrative region for a synthetic ID number issued in the area `area_code`.

    Function areas without a national code of their own (4403DP Dapeng, 4403GM Guangming's old code) and anything
    else that is not six digits fall back to Shenzhen's city code, 440300, as a real card issued there would.
    """
    code = area_code[:6]
    if len(code) == 6 and code.isascii() and code.isdigit() and code[0] != "0":
        return code
    return "440300"


def make_id_number(region: str, birth: date, seq: int, gender: str) -> str:
    """A valid synthetic ID number for tests and demo data.

    `seq` (0–499) picks one of the 500 sequence codes of that gender, so (region, birth, seq, gender) maps to
    distinct numbers. Use it only for synthetic people: a real region and date can produce a real person's number.
    """
    if len(region) != 6 or not (region.isascii() and region.isdigit()) or region[0] == "0":
        raise ValueError(f"region must be 6 digits not starting with 0, got {region!r}")
    if not EARLIEST_BIRTH_DATE <= birth <= timezone.localdate():
        raise ValueError(f"birth must be between {EARLIEST_BIRTH_DATE} and today, got {birth}")
    if not 0 <= seq <= 499:
        raise ValueError(f"seq must be between 0 and 499, got {seq}")
    if gender not in ("male", "female"):
        raise ValueError(f"gender must be 'male' or 'female', got {gender!r}")
    code = seq * 2 + (1 if gender == "male" else 0)
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{code:03d}"
    return first17 + id_number_check_digit(first17)


# --- phone numbers -----------------------------------------------------------------------------------------------


def normalize_phone(value: str) -> str:
    """Digits only, without a +86 / 0086 country prefix: the form the blind index hashes.

    A landline typed internationally ("+86 755 8345 1234") gets back the leading 0 of its area code, so every way
    of typing the same number hashes the same. It never fails: anything unrecognisable is just its digits.
    """
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()
    digits = re.sub(r"[^0-9]", "", text)
    international = False
    if digits.startswith("0086"):
        digits, international = digits[4:], True
    elif text.startswith("+") and digits.startswith("86"):
        digits, international = digits[2:], True
    elif len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    if international and digits and not digits.startswith("0") and not _MOBILE.fullmatch(digits):
        digits = "0" + digits
    return digits


def _area_code_length(digits: str) -> int:
    # 010 (Beijing) and 020–029 have three digits; every other area code has four (0755, 0371, …).
    return 3 if digits[1] in "12" else 4


def validate_phone(value: str) -> str:
    """A mainland mobile ("13812345678") or a landline with its area code ("0755-83451234"), normalised."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()
    if not _PHONE_INPUT.fullmatch(text):
        raise ValidationError(
            _("A phone number has only digits, spaces, dashes and an optional +86."), code=PHONE_ERROR
        )
    digits = normalize_phone(text)
    if _MOBILE.fullmatch(digits):
        return digits
    if digits.startswith("1"):
        if len(digits) != 11:
            raise ValidationError(
                _("A mobile number has 11 digits; this one has %(length)d."),
                code=PHONE_ERROR,
                params={"length": len(digits)},
            )
        raise ValidationError(_("A mobile number starts with 13 to 19."), code=PHONE_ERROR)
    if _LANDLINE.fullmatch(digits):
        area_length = _area_code_length(digits)
        area, local = digits[:area_length], digits[area_length:]
        if 7 <= len(local) <= 8 and local[0] != "0":
            return f"{area}-{local}"
    raise ValidationError(
        _(
            "Enter a mainland mobile number (11 digits starting with 13 to 19) or a landline with its "
            "area code, such as 0755-83451234."
        ),
        code=PHONE_ERROR,
    )


def normalize_id_number(value: str) -> str:
    """The form an ID number is hashed in: no spaces, upper-case check character (no validation here)."""
    return "".join(_fold(value).split()).upper()
