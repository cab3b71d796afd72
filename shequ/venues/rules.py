"""The booking rules as pure functions over data (no database): the day's slots, notice limits, longest booking,
quotas. The services feed them rows; the Hypothesis tests feed them generated data.

Times are aware datetimes; periods (day, week, month) are Asia/Shanghai's: a week runs Monday to Sunday.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from shequ.core.errors import ShequError
from shequ.core.workdays import CALENDAR_TZ, WorkCalendar
from shequ.facilities.hours import Schedule

from .choices import QuotaMeasure, QuotaPeriod, SlotMode

TZ = CALENDAR_TZ  # the platform's one zone (core.workdays): days, weeks and months are Shenzhen's
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class LayoutData:
    """What the rules need of a venue (services.layout_of; tests build it directly)."""

    slot_mode: str
    slot_minutes: int
    min_notice_minutes: int
    max_notice_days: int
    max_length_minutes: int


@dataclass(frozen=True)
class QuotaRule:
    period: str
    measure: str
    limit: int


def open_spans(schedule: Schedule, day: date, calendar: WorkCalendar) -> list[Span]:
    """The day's opening intervals as aware datetimes (an interval past midnight is cut at midnight)."""
    spans = []
    midnight = datetime.combine(day, time(0), tzinfo=TZ)
    for a, b in schedule.intervals_on(day, calendar):
        spans.append((midnight + timedelta(minutes=a), midnight + timedelta(minutes=min(b, 1440))))
    return spans


def slots(layout: LayoutData, spans: Iterable[Span]) -> list[Span]:
    """The day's slots: `slot_minutes` each, from each opening, whole slots only."""
    step = timedelta(minutes=layout.slot_minutes)
    out = []
    for a, b in spans:
        t = a
        while t + step <= b:
            out.append((t, t + step))
            t += step
    return out


def check_times(
    layout: LayoutData, spans: Sequence[Span], start: datetime, end: datetime, now: datetime
) -> None:
    """ShequError naming the broken rule, or nothing: a time in the past, off the slot grid, outside the
    opening hours, too short a notice, too far ahead, too long."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("booking times must be aware")
    if end <= start:
        raise ShequError(
            _("The end must be after the start."), code="invalid_time", fields={"end": "before start"}
        )
    if start < now:
        raise ShequError(_("This time has already passed."), code="past", fields={"start": "past"})
    span = next((s for s in spans if s[0] <= start and end <= s[1]), None)
    if span is None:
        raise ShequError(
            _("The venue is not open for all of this time."), code="closed", fields={"start": "outside hours"}
        )
    step = layout.slot_minutes * 60
    if (start - span[0]).total_seconds() % step or (end - start).total_seconds() % step:
        raise ShequError(
            _("Book whole slots of %(n)d minutes.") % {"n": layout.slot_minutes},
            code="off_grid",
            fields={"start": "grid"},
        )
    if layout.slot_mode == SlotMode.SLOTS and end - start != timedelta(minutes=layout.slot_minutes):
        raise ShequError(
            _("This venue is booked by the slot of %(n)d minutes.") % {"n": layout.slot_minutes},
            code="off_grid",
            fields={"end": "one slot"},
        )
    if end - start > timedelta(minutes=layout.max_length_minutes):
        raise ShequError(
            _("A booking may last at most %(n)d minutes.") % {"n": layout.max_length_minutes},
            code="too_long",
            fields={"end": "too long"},
        )
    check_notice(layout, start, now)


def check_notice(layout: LayoutData, start: datetime, now: datetime) -> None:
    if start - now < timedelta(minutes=layout.min_notice_minutes):
        raise ShequError(
            _("Book at least %(n)d minutes ahead.") % {"n": layout.min_notice_minutes},
            code="notice_too_short",
            fields={"start": "notice"},
        )
    if start - now > timedelta(days=layout.max_notice_days):
        raise ShequError(
            _("Bookings open %(n)d days ahead.") % {"n": layout.max_notice_days},
            code="notice_too_long",
            fields={"start": "notice"},
        )


def period_key(period: str, when: datetime) -> tuple[int, ...]:
    local = when.astimezone(TZ).date()
    if period == QuotaPeriod.DAY:
        return (local.toordinal(),)
    if period == QuotaPeriod.WEEK:
        year, week, _weekday = local.isocalendar()
        return (year, week)
    return (local.year, local.month)


def _amount(measure: str, span: Span) -> float:
    if measure == QuotaMeasure.HOURS:
        return (span[1] - span[0]).total_seconds() / 3600
    return 1


def quota_breach(rules: Iterable[QuotaRule], held: Iterable[Span], new: Sequence[Span]) -> QuotaRule | None:
    """The first rule that `new` (all together: a whole series) would break on top of `held`, else None.

    A booking counts in the period of its start. Only periods that a new booking falls in are judged: a period
    already over its limit (the limit lowered later) does not block bookings elsewhere."""
    held = list(held)
    for rule in rules:
        totals: dict[tuple[int, ...], float] = defaultdict(float)
        for span in held:
            totals[period_key(rule.period, span[0])] += _amount(rule.measure, span)
        touched = set()
        for span in new:
            key = period_key(rule.period, span[0])
            totals[key] += _amount(rule.measure, span)
            touched.add(key)
        if any(totals[k] > rule.limit + 1e-9 for k in touched):
            return rule
    return None
