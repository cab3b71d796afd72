"""The Chinese working-day calendar: deadline arithmetic over 法定节假日 and 调休上班 days.

Every deadline of the platform ("reply within 7 working days", "rectify within 5 working days", "contact within
24 h") is computed here, so the rules are stated once:

Working days
    A local day (Asia/Shanghai, the days of the State Council notices whatever the server's clock says) is a
    working day if it is Monday–Friday and not a holiday, or if it is a Saturday/Sunday listed as a make-up
    working day (调休上班). Holidays and make-up days come from the `CalendarDay` table (only exceptions are
    rows); `WorkCalendar` itself is pure and takes them as sets.

The working-time clock
    Working time runs 24 hours a day on working days and stops entirely on non-working days. One working day
    is therefore exactly 24 working hours, and for every aware `start` and every `n >= 0`::

        add_working_days(start, n) == add_working_hours(start, 24 * n)

Normalisation
    An instant on a non-working day has the same working-time position as 00:00 of the next working day.
    Results are always given in that forward-normalised form, so every result of `add_working_days` and
    `add_working_hours` falls on a working day (in particular, running out of hours exactly at midnight
    after a working day gives 00:00 of the next working day, not 00:00 of a Saturday).

`add_working_days(start, n)`
    If `start` is on a non-working day, counting starts at 00:00 of the next working day. The result is the
    same local time of day on the n-th working day after that; n = 0 returns the normalised start. Example:
    Monday 2024-09-30 10:00 + 1 working day = Tuesday 2024-10-08 10:00 (the National Day break is skipped).

`add_working_hours(start, hours)`
    Advances the working-time clock by `hours` (a float; microsecond resolution), skipping non-working days.

`working_hours_between(a, b)`
    Working time in [a, b) in hours, the inverse of `add_working_hours`; negative when b < a (handy for
    "overdue by"). `working_days_between(a, b)` is the number of whole working days in it (truncated toward
    zero), the inverse of `add_working_days`; plain dates mean 00:00 local, so for dates it counts the
    working days d with a <= d < b.

Inputs and errors
    Datetimes must be aware (naive ones raise ValueError); results are aware datetimes in Asia/Shanghai.
    Negative amounts raise ValueError. With `strict=True` (the default), any arithmetic that has to know
    whether a day of an uncovered year is a working day raises `CalendarNotCovered` (a ValueError); a year is
    covered when it has at least one row. `strict=False` treats uncovered years as plain Monday–Friday.
"""

from __future__ import annotations

import math
import numbers
import operator
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The notices define days in Beijing time; the calendar must not follow a changed settings.TIME_ZONE.
CALENDAR_TZ = ZoneInfo("Asia/Shanghai")

_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)


class CalendarNotCovered(ValueError):
    """The arithmetic needs a year the working-day calendar has no data for."""

    def __init__(self, year: int, covered_years: Iterable[int]) -> None:
        self.year = year
        self.covered_years = frozenset(covered_years)
        covered = ", ".join(str(y) for y in sorted(self.covered_years)) or "none"
        super().__init__(
            f"The working-day calendar has no data for {year} (covered years: {covered}). Load that year's "
            f"State Council holiday notice with `manage.py calendar_add_year {year} --file <year.json>`."
        )


def _elapsed(a: datetime, b: datetime) -> timedelta:
    # Subtracting two aware datetimes that share a tzinfo is wall-clock arithmetic in Python; going through
    # UTC makes it real elapsed time in any zone (it makes no difference in Asia/Shanghai, which has no DST).
    return b.astimezone(UTC) - a.astimezone(UTC)


class WorkCalendar:
    """Working-day arithmetic over explicit holiday and make-up-workday sets (no database access)."""

    def __init__(
        self,
        holidays: Iterable[date],
        workdays: Iterable[date],
        *,
        strict: bool = True,
        covered_years: Iterable[int] | None = None,
        tz: ZoneInfo = CALENDAR_TZ,
    ) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        for d in self.holidays | self.workdays:
            # A datetime is a date subclass but never equal to one, so it would silently match nothing.
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError(f"holidays and workdays must be dates, got {d!r}")
        both = self.holidays & self.workdays
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"Days cannot be both a holiday and a make-up working day: {listed}")
        self.covered_years = (
            frozenset(covered_years)
            if covered_years is not None
            else frozenset(d.year for d in self.holidays | self.workdays)
        )
        self.strict = strict
        self.tz = tz

    def __repr__(self) -> str:
        years = ",".join(str(y) for y in sorted(self.covered_years))
        return (
            f"<WorkCalendar years={years or '-'} holidays={len(self.holidays)} "
            f"workdays={len(self.workdays)} strict={self.strict}>"
        )

    # --- days ----------------------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri unless a holiday; Sat/Sun only if a make-up working day. A datetime counts by its local day."""
        d = self._local_date(d)
        if self.strict and d.year not in self.covered_years:
            raise CalendarNotCovered(d.year, self.covered_years)
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        return d.weekday() < 5

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d` (a datetime counts by its local day)."""
        return self._working_day_on_or_after(self._local_date(d) + _ONE_DAY)

    def _working_day_on_or_after(self, d: date) -> date:
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    # --- arithmetic ------------------------------------------------------------------------------------------

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the `days`-th working day after `start` (see the module docstring)."""
        days = _check_days(days)
        local = self._normalise(self._to_local(start))
        d = local.date()
        for _ in range(days):
            d = self._working_day_on_or_after(d + _ONE_DAY)
        return datetime.combine(d, local.time(), tzinfo=self.tz)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`start` advanced by `hours` of working time; the clock stops on non-working days."""
        remaining = timedelta(hours=_check_hours(hours))
        current = self._normalise(self._to_local(start))
        while True:
            day_end = self._day_start(current.date() + _ONE_DAY)
            available = _elapsed(current, day_end)
            # Strictly less: hours that run out exactly at midnight roll over to the next working day's
            # 00:00, the normalised form of that instant (keeps add_working_days == add_working_hours(24n)).
            if remaining < available:
                return (current.astimezone(UTC) + remaining).astimezone(self.tz)
            remaining -= available
            current = self._day_start(self._working_day_on_or_after(current.date() + _ONE_DAY))

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working time in [a, b) in hours; negative if b is before a. Inverse of `add_working_hours`."""
        return self._working_time_between(self._to_local(a), self._to_local(b)) / _ONE_HOUR

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Whole working days in [a, b), truncated toward zero; dates mean 00:00 local. Inverse of
        `add_working_days`: `working_days_between(s, add_working_days(s, n)) == n`."""
        elapsed = self._working_time_between(self._as_instant(a), self._as_instant(b))
        whole = abs(elapsed) // _ONE_DAY
        return -whole if elapsed < timedelta(0) else whole

    # --- helpers ---------------------------------------------------------------------------------------------

    def _working_time_between(self, a: datetime, b: datetime) -> timedelta:
        if b < a:
            return -self._working_time_between(b, a)
        total = timedelta(0)
        d = a.date()
        while True:
            day_start = self._day_start(d)
            if day_start >= b:
                # Nothing of [a, b) lies on this day or later; stop before asking about it, so that an
                # interval ending at 00:00 of an uncovered year does not need that year's data.
                return total
            low, high = max(a, day_start), min(b, self._day_start(d + _ONE_DAY))
            # Only ask whether the day is worked when it overlaps the interval (same reason as above).
            if high > low and self.is_working_day(d):
                total += _elapsed(low, high)
            d += _ONE_DAY

    def _normalise(self, local: datetime) -> datetime:
        """An instant on a non-working day → 00:00 of the next working day (same working-time position)."""
        if self.is_working_day(local.date()):
            return local
        return self._day_start(self._working_day_on_or_after(local.date() + _ONE_DAY))

    def _day_start(self, d: date) -> datetime:
        return datetime.combine(d, time(0), tzinfo=self.tz)

    def _to_local(self, value: datetime) -> datetime:
        if not isinstance(value, datetime):
            raise TypeError(f"expected an aware datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()}: the working-day calendar needs aware datetimes"
            )
        return value.astimezone(self.tz)

    def _local_date(self, value: date) -> date:
        if isinstance(value, datetime):
            return self._to_local(value).date()
        if not isinstance(value, date):
            raise TypeError(f"expected a date, got {type(value).__name__}")
        return value

    def _as_instant(self, value: date | datetime) -> datetime:
        if isinstance(value, datetime):
            return self._to_local(value)
        return self._day_start(self._local_date(value))


def _check_days(days: int) -> int:
    if isinstance(days, bool):
        raise TypeError("days must be an integer, got a bool")
    try:
        days = operator.index(days)
    except TypeError:
        raise TypeError(f"days must be an integer, got {days!r}") from None
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    return days


def _check_hours(hours: float) -> float:
    if isinstance(hours, bool) or not isinstance(hours, numbers.Real):
        raise TypeError(f"hours must be a number, got {hours!r}")
    value = float(hours)
    if not math.isfinite(value):
        raise ValueError(f"hours must be finite, got {hours!r}")
    if value < 0:
        raise ValueError(f"hours must not be negative, got {hours!r}")
    return value


# --- the platform's calendar, from the CalendarDay table ---------------------------------------------------------
#
# The calendar is cached per process and rebuilt when a fingerprint of the table changes. The fingerprint is
# read from the database on every get_calendar() call (one aggregate over a table of ~40 rows a year) rather
# than kept as a version key in Django's cache bumped by post_save/post_delete signals, because:
#   * the embedded default cache is LocMemCache, which is per process: a version bumped in the process that
#     edited a row is invisible to the other gunicorn/Celery processes, which would keep a stale calendar;
#   * signals do not fire for bulk_create (used by calendar_add_year), QuerySet.update(), data migrations
#     (historical models) or SQL run by hand, and every one of those must reach every process.
# The database is the one thing all processes share, so asking it is correct for any number of processes,
# any cache backend and any way of writing rows. Plain count/max(id) would miss an in-place edit (the admin
# changing a row's kind or date), so the fingerprint also sums id × (date, kind) code: any change of one
# row's date or kind changes it (swaps included, since the weights differ). Callers computing many deadlines
# at once should call get_calendar() once and reuse the WorkCalendar.

_cache_lock = threading.Lock()
_cached: tuple[tuple, WorkCalendar] | None = None


# A row's code: its date as days since 2000-01-01, doubled, plus 1 for a holiday; unique per (date, kind). Plain
# integer arithmetic in SQL: the same sum with EXTRACT(YEAR/MONTH/DAY) computes in numeric and took PostgreSQL
# ten times as long to plan and run (0.58 ms against 0.09 ms), on every deadline computed.
_DAY_NUMBER = {
    "postgresql": "({date} - DATE '2000-01-01')",
    "sqlite": "CAST(julianday({date}) - julianday('2000-01-01') AS INTEGER)",
}


def _fingerprint() -> tuple:
    from django.db import connections

    from .models import CalendarDay, DayKind

    connection = connections[CalendarDay.objects.db]
    q = connection.ops.quote_name
    day = _DAY_NUMBER[connection.vendor].format(date=q("date"))
    sql = (
        f"SELECT COUNT(*), MAX({q('id')}), "  # noqa: S608 - names from the model, the kind a parameter
        f"SUM({q('id')} * ({day} * 2 + CASE WHEN {q('kind')} = %s THEN 1 ELSE 0 END)) "
        f"FROM {q(CalendarDay._meta.db_table)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [DayKind.HOLIDAY.value])
        row = cursor.fetchone()
    return tuple(row) if row else (0, None, None)


def _build_calendar() -> WorkCalendar:
    from .models import CalendarDay, DayKind

    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    # Not strict: a deadline that runs into a year whose holidays are not loaded yet (the State Council
    # publishes them each November) is counted Monday–Friday rather than failing the request. The system check
    # core.I001 warns operators to load the coming year with `calendar_add_year`.
    return WorkCalendar(holidays, workdays, strict=False)


def get_calendar() -> WorkCalendar:
    """The platform's calendar from the CalendarDay table, cached in-process until the table changes.

    Uncovered years count as plain Monday–Friday (see `_build_calendar`); tests of exact holiday arithmetic use a
    strict `WorkCalendar` directly.
    """
    global _cached
    fingerprint = _fingerprint()
    with _cache_lock:
        if _cached is not None and _cached[0] == fingerprint:
            return _cached[1]
    calendar = _build_calendar()
    # A write between the fingerprint and the build only makes the next call rebuild once more: a fingerprint
    # is never paired with rows older than it.
    with _cache_lock:
        _cached = (fingerprint, calendar)
    return calendar


def add_working_time(start: datetime, *, hours: float | None = None, days: int | None = None) -> datetime:
    """`start` plus working hours or working days (exactly one) on the platform calendar (`get_calendar()`)."""
    if (hours is None) == (days is None):
        raise ValueError("add_working_time needs exactly one of hours= or days=")
    calendar = get_calendar()
    if days is not None:
        return calendar.add_working_days(start, days)
    assert hours is not None  # for the type checker: exactly one of the two was given
    return calendar.add_working_hours(start, hours)
