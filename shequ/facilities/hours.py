"""Opening hours as data: per-weekday intervals, a holiday rule and a note; "open now?" in Asia/Shanghai.

The structure (JSON on Facility.hours):

    {"mon": [["08:30", "12:00"], ["14:00", "18:00"]], "tue": [...], ..., "sun": []}

A missing or empty day is closed. "24:00" may close an interval; an interval whose close is not after its open
("22:00"–"02:00") runs past midnight into the next day; ["00:00", "24:00"] is open all day. Public holidays and
make-up working days come from the platform's working-day calendar (shequ.core.workdays): on a holiday the
facility's HolidayRule decides (as usual, closed, or Sunday hours); on a make-up working day (调休上班, a worked
weekend day) a facility that does not keep its usual hours on holidays opens with Monday's hours, as offices do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from shequ.core.errors import ShequError
from shequ.core.workdays import WorkCalendar

from .choices import WEEKDAYS, HolidayRule

TZ = ZoneInfo("Asia/Shanghai")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$")
MAX_INTERVALS_PER_DAY = 4


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def validate_hours(hours: object) -> dict[str, list[list[str]]]:
    """The normalised structure, or ShequError naming the day and the problem (field `hours.<day>`)."""
    if hours is None:
        return {}
    if not isinstance(hours, dict):
        raise ShequError(
            _("Opening hours must map weekdays (mon…sun) to lists of [open, close]."),
            fields={"hours": "type"},
        )
    out: dict[str, list[list[str]]] = {}
    for day, intervals in hours.items():
        field = f"hours.{day}"
        if day not in WEEKDAYS:
            raise ShequError(
                _("Unknown weekday %(day)s; use mon, tue, wed, thu, fri, sat, sun.") % {"day": day},
                fields={field: day},
            )
        if not isinstance(intervals, list) or len(intervals) > MAX_INTERVALS_PER_DAY:
            raise ShequError(
                _("%(day)s: give at most %(n)d intervals as [open, close].")
                % {"day": day, "n": MAX_INTERVALS_PER_DAY},
                fields={field: "list"},
            )
        kept = []
        for pair in intervals:
            if (
                not isinstance(pair, (list, tuple))
                or len(pair) != 2
                or not all(isinstance(t, str) and _HHMM.match(t) for t in pair)
            ):
                raise ShequError(
                    _("%(day)s: each interval is two times HH:MM, e.g. [08:30, 12:00].") % {"day": day},
                    fields={field: str(pair)},
                )
            start, end = pair
            if start == "24:00" or start == end:
                raise ShequError(
                    _("%(day)s: the interval %(start)s–%(end)s is empty.")
                    % {"day": day, "start": start, "end": end},
                    fields={field: f"{start}-{end}"},
                )
            kept.append([start, end])
        out[day] = sorted(kept)
    return out


@dataclass(frozen=True)
class Schedule:
    hours: dict[str, list[list[str]]]
    holiday_rule: str = HolidayRule.AS_USUAL

    def day_key(self, d: date, calendar: WorkCalendar) -> str | None:
        """Which weekday's intervals apply on date d, or None if closed all day by the holiday rule."""
        usual = WEEKDAYS[d.weekday()]
        if self.holiday_rule == HolidayRule.AS_USUAL:
            return usual
        if d in calendar.holidays:
            return None if self.holiday_rule == HolidayRule.CLOSED else "sun"
        if d in calendar.workdays:
            return "mon"
        return usual

    def intervals_on(self, d: date, calendar: WorkCalendar) -> list[tuple[int, int]]:
        """(open, close) in minutes from the day's midnight; a close beyond 1440 runs into the next day."""
        key = self.day_key(d, calendar)
        if key is None:
            return []
        out = []
        for start, end in self.hours.get(key, []):
            a, b = _minutes(start), _minutes(end)
            out.append((a, b if b > a else b + 1440))
        return out

    def is_open(self, when: datetime, calendar: WorkCalendar) -> bool:
        if when.tzinfo is None:
            raise ValueError("is_open needs an aware datetime")
        local = when.astimezone(TZ)
        today = local.date()
        now = local.hour * 60 + local.minute
        if any(a <= now < b for a, b in self.intervals_on(today, calendar)):
            return True
        # Yesterday's intervals that run past midnight.
        return any(
            b > 1440 and now < b - 1440 for a, b in self.intervals_on(today - timedelta(days=1), calendar)
        )

    def today_text(self, when: datetime, calendar: WorkCalendar) -> str:
        """Today's hours for people: "08:30–12:00, 14:00–18:00", "Open all day" or "Closed all day"."""
        local = when.astimezone(TZ)
        key = self.day_key(local.date(), calendar)
        intervals = self.hours.get(key, []) if key else []
        if not intervals:
            return _("Closed all day")
        if intervals == [["00:00", "24:00"]]:
            return _("Open all day")
        return ", ".join(f"{a}–{b}" for a, b in intervals)


# What people type into the console's opening-hours fields (issue 21): "08:30-12:00, 14:00-18:00", "8:30～12:00、
# 14:00至18:00", "全天" for open all day, nothing (or "休息") for closed.
_ALL_DAY = {"全天", "24小时", "24h", "00:00-24:00"}
_CLOSED = {"", "休息", "闭馆", "不开放", "关闭", "-"}
_SEPARATORS = re.compile(r"[,，、;；\s]+")
_DASHES = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")
_LOOSE_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")


def _tidy_time(text: str) -> str:
    found = _LOOSE_TIME.match(text.strip())
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else text.strip()


def parse_day_text(text: str, *, day: str, label: str) -> list[list[str]]:
    """One day's intervals from what staff typed; ShequError naming the day (`label`, in words) when unreadable.

    The result still goes through validate_hours (the service's own check) before it is stored."""
    text = (text or "").strip()
    if text in _CLOSED:
        return []
    if text.replace(" ", "") in _ALL_DAY:
        return [["00:00", "24:00"]]
    out = []
    for part in _SEPARATORS.split(_DASHES.sub("-", text)):
        if not part:
            continue
        start, sep, end = part.partition("-")
        start, end = _tidy_time(start), _tidy_time(end)
        if not sep or not _HHMM.match(start) or not _HHMM.match(end):
            raise ShequError(
                _(
                    "%(day)s: write the hours as 08:30-12:00, 14:00-18:00; 全天 for all day; leave empty if closed."
                )
                % {"day": label},
                fields={f"hours_{day}": text},
            )
        out.append([start, end])
    if len(out) > MAX_INTERVALS_PER_DAY:
        raise ShequError(
            _("%(day)s: at most %(n)d intervals.") % {"day": label, "n": MAX_INTERVALS_PER_DAY},
            fields={f"hours_{day}": text},
        )
    return out


def day_text(intervals: list[list[str]]) -> str:
    """The form's text for one day's intervals (parse_day_text's inverse)."""
    if intervals == [["00:00", "24:00"]]:
        return "全天"
    return ", ".join(f"{a}-{b}" for a, b in intervals)


def local_now() -> datetime:
    return datetime.now(TZ)


def at(d: date, hhmm: str) -> datetime:
    """A Shanghai moment on day d at HH:MM (tests and examples)."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(d, time(h, m), tzinfo=TZ)
