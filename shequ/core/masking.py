"""Masking of personal data for display, exports and logs (PIPL; 等保 2.0 level 3: masked by default).

The mask_* functions turn one known value into its display form; `redact` finds mobiles, ID numbers, bank cards
and e-mail addresses in free text (appeal descriptions, addresses, notes, replies, log lines) and masks them;
`find_unmasked` reports the same (both read `personal_data_in`); `PersonalDataLogFilter` applies `redact` to every
log record so no handler ever writes an unmasked identifier.

Every mask hides the birth date of an ID number and the middle of a phone number, and tolerates None, "" and
values too short or odd to have the expected shape (they are masked generically, never returned as they are).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from .idnumbers import id_number_check_digit, normalize_phone

STARS = "****"

# What people type between and around the digits of a number, folded one character to one character so that
# positions in the folded text are positions in the original: full-width digits, X and @ from Chinese input
# methods, the many spaces and dashes of word processors.
_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_DASHES, "-"),
        "Ｘ": "X",
        "ｘ": "x",
        "．": ".",
        "＋": "+",
        "＠": "@",
    }
)
# Characters that show nothing (zero-width space, joiners, word joiner, BOM, soft hyphen, direction marks): typed
# or pasted between digits, they split a number for a pattern while the reader still sees it whole. Text that has
# any is scanned without them and what is found mapped back to the original positions.
_INVISIBLE_RE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")

_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = re.compile(rf"[1-9][0-9]{{5}}(?:18|19|20)[0-9]{{2}}{_DATE}[0-9]{{3}}[0-9X]")
_ID15 = re.compile(rf"[1-9][0-9]{{5}}[0-9]{{2}}{_DATE}[0-9]{{3}}")
# A mainland mobile, written whole after an optional 86 / 0086 country code.
_MOBILE = re.compile(r"(0086|86)?(1[3-9][0-9]{9})")
# Bank cards: 16 to 19 digits (UnionPay 62…, Visa 4…, Mastercard 5…, JCB/Amex 3…) with a valid Luhn digit.
_CARD = re.compile(r"[3-6][0-9]{15,18}")

# A number as people write it: digit groups joined by one separator each (one or two spaces, or a dash or dot
# with an optional space either side), an optional leading + and an ID number's trailing X. Which stretch of
# groups is an identifier is decided in Python (_identify).
_GROUP_RE = re.compile(r"[0-9]+")
_RUN = re.compile(r"(?<![0-9])\+?[0-9]+(?:(?:[ ]{1,2}|[ ]?[-.][ ]?)[0-9]+)*[Xx]?")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9])"
)
MAX_DIGITS = 22  # 0086 and 18 characters: no identifier is longer

# Machine values whose digit runs are chance, not a person's number: a hash digest (32 or more hex characters, as
# the audit chain shows), a UUID, and an appeal's number (SQ + date + counter, appeals.services._number: with a
# counter of seven digits its last fifteen have the shape of a first-generation ID number).
_HEX = "[0-9a-fA-F]"
_MACHINE = re.compile(
    rf"(?<![0-9A-Za-z])(?:{_HEX}{{32,}}|{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}|SQ[0-9]{{14,}})"
    r"(?![0-9A-Za-z])"
)


@dataclass(frozen=True)
class Found:
    """One identifier in free text: where it is (in the original text), what kind, and its masked form."""

    start: int
    end: int
    kind: str  # "phone", "id_number", "bank_card" or "email"
    masked: str
    reportable: bool  # is it a real one (an 18-character ID number with its check digit right)?


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _identify(groups: list[str], gaps: list[str], x: bool, prefixed: bool) -> tuple[str, str, bool] | None:
    """(kind, masked, reportable) when the digit groups (with a trailing X, after a + sign) are one identifier.

    A number split into groups must look typed, not chanced upon in a list of figures: every group has at least
    three digits (a country code of its own excepted), one kind of separator (dash or dot; spaces go with
    either), and a first-generation ID number is split only as 6-6-3.
    """
    digits = "".join(groups)
    sizes = [len(g) for g in groups]
    split = len(groups) > 1
    if len({g for g in gaps if g}) > 1:
        return None
    if x:
        number = digits + "X"
        if len(number) == 18 and _ID18.fullmatch(number) and (not split or min(sizes) >= 3):
            return "id_number", f"{number[:6]}{'*' * 8}{number[-4:]}", _is_real_id(number)
        return None
    if len(digits) == 18 and _ID18.fullmatch(digits) and (not split or min(sizes) >= 3):
        return "id_number", f"{digits[:6]}{'*' * 8}{digits[-4:]}", _is_real_id(digits)
    if len(digits) == 15 and _ID15.fullmatch(digits) and (not split or sizes == [6, 6, 3]):
        return "id_number", f"{digits[:6]}{'*' * 6}{digits[-3:]}", True
    mobile = _MOBILE.fullmatch(digits)
    if mobile:
        country = mobile.group(1) or ""
        # A country code typed as a group of its own must be written +86 or 0086: "86 139…" is a house number
        # followed by a phone, not a prefix.
        own_group = bool(country) and split and groups[0] == country
        if own_group and country == "86" and not prefixed:
            return None
        rest = sizes[1:] if own_group else sizes
        if not split or min(rest) >= 3:
            number = mobile.group(2)
            return "phone", f"{number[:3]}{STARS}{number[-4:]}", True
        return None
    if (
        _CARD.fullmatch(digits)
        and _luhn(digits)
        and (not split or (set(sizes[:-1]) == {4} and sizes[-1] >= 3))
    ):
        return "bank_card", f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}", True
    return None


def _numbers_in(text: str, run: re.Match[str]) -> list[Found]:
    """The identifiers in one run of digit groups: from each group, the longest stretch that is one."""
    spans = [m.span() for m in _GROUP_RE.finditer(text, run.start(), run.end())]
    groups = [text[a:b] for a, b in spans]
    if sum(len(g) for g in groups) < 11:
        return []
    gaps = [""] + [text[spans[k - 1][1] : spans[k][0]].strip() for k in range(1, len(spans))]
    ends_with_x = text[run.end() - 1] in "Xx"
    prefixed = text[run.start()] == "+"
    found: list[Found] = []
    i = 0
    while i < len(groups):
        last, total = i, len(groups[i])
        while last + 1 < len(groups) and total + len(groups[last + 1]) <= MAX_DIGITS:
            last += 1
            total += len(groups[last])
        hit = None
        for j in range(last, i - 1, -1):
            for x in (True, False) if ends_with_x and j == len(groups) - 1 else (False,):
                hit = _identify(groups[i : j + 1], gaps[i + 1 : j + 1], x, prefixed and i == 0)
                if hit:
                    start = run.start() if prefixed and i == 0 and hit[0] == "phone" else spans[i][0]
                    found.append(Found(start, run.end() if x else spans[j][1], *hit))
                    break
            if hit:
                break
        i = j + 1 if hit else i + 1
    return found


def _scan(text: str) -> list[Found]:
    found: list[Found] = []
    taken: list[tuple[int, int]] = []  # e-mail addresses and machine values, in order of position
    if "@" in text:
        for m in _EMAIL.finditer(text):
            taken.append(m.span())
            found.append(Found(m.start(), m.end(), "email", mask_email(m.group()), True))
    if len(text) >= 16:
        taken.extend(m.span() for m in _MACHINE.finditer(text))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(taken):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    starts = [a for a, _ in merged]
    for run in _RUN.finditer(text):
        if run.end() - run.start() < 11:
            continue  # the common case on a page: a short number
        k = bisect.bisect_right(starts, run.start()) - 1
        if k >= 0 and run.end() <= merged[k][1]:
            continue
        found.extend(_numbers_in(text, run))
    found.sort(key=lambda f: f.start)
    return found


def personal_data_in(text: object) -> list[Found]:
    """Every mobile, ID number, bank card and e-mail address in free text, in order of position.

    The one place that decides what is an identifier in text: `redact` masks what it finds and `find_unmasked`
    (the test suite's leak scan) reports it, so the two never disagree. Landlines are left alone on purpose: in
    appeals and replies they are the numbers of offices, hotlines and property managers that residents need, and
    public facilities list theirs (a resident's own number is the appeal's contact phone, masked on its own).
    """
    original = "" if text is None else str(text)
    folded = original.translate(_FOLD)
    if not _INVISIBLE_RE.search(folded):
        return _scan(folded)
    # Scan the text without them; each visible stretch remembers where it starts in both texts.
    pieces: list[str] = []
    visible_starts: list[int] = []
    original_starts: list[int] = []
    position = length = 0
    for m in _INVISIBLE_RE.finditer(folded):
        if m.start() > position:
            visible_starts.append(length)
            original_starts.append(position)
            pieces.append(folded[position : m.start()])
            length += m.start() - position
        position = m.end()
    visible_starts.append(length)
    original_starts.append(position)
    pieces.append(folded[position:])

    def at(index: int) -> int:
        k = bisect.bisect_right(visible_starts, index) - 1
        return original_starts[k] + index - visible_starts[k]

    return [
        Found(at(f.start), at(f.end - 1) + 1, f.kind, f.masked, f.reportable) for f in _scan("".join(pieces))
    ]


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
    """Free text with every personal identifier masked and the rest left as it was typed.

    Mobiles (+86 / 0086 / 86 prefixes, dashes, dots, spaces, full-width digits, zero-width characters inside)
    become 139****2222, ID numbers 440304********2471 (the birth date never shows; also with a wrong check digit),
    bank cards 6222***********0123 and e-mail addresses z***@example.com. Dates, times, amounts, house numbers and
    appeal numbers are not identifiers and stay. This is the one function for text that leaves the system:
    pages, API schemas, Open311, exports and log lines.
    """
    original = "" if text is None else str(text)
    found = personal_data_in(original)
    if not found:
        return original
    pieces: list[str] = []
    end = 0
    for item in found:
        if item.start < end:
            continue  # inside an e-mail address already masked
        pieces.append(original[end : item.start])
        pieces.append(item.masked)
        end = item.end
    pieces.append(original[end:])
    return "".join(pieces)


def _is_real_id(found: str) -> bool:
    if len(found) != 18:
        return True  # a first-generation number has no check digit; its shape and date are all there is
    return id_number_check_digit(found[:17]) == found[17].upper()


def find_unmasked(text: object) -> list[str]:
    """The identifiers `redact` would mask, as they appear in text; 18-character ID numbers only with a valid
    check digit (a typo is masked but is no one's number)."""
    original = "" if text is None else str(text)
    return [original[item.start : item.end] for item in personal_data_in(original) if item.reportable]


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
