"""Load (or replace) one year of the working-day calendar from the State Council holiday notice.

    python manage.py calendar_add_year 2027 --file 2027.json
    python manage.py calendar_add_year --show 2026

The file is either one year's entry, shaped like an entry of `years` in core/data/holidays_cn.json:

    {"notice": "国办发明电〔2026〕N号",
     "holidays": [{"date": "2027-01-01", "name": "元旦"}, ...],
     "workdays": [{"date": "2027-02-06", "name": "春节调休"}, ...]}

or a whole holidays_cn.json-shaped file, from which the requested year is taken. Every day off of each break
is listed (weekend days inside a break too); workdays are the make-up working days (调休上班).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from shequ.core.models import CalendarDay, DayKind

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME_MAX: int = CalendarDay._meta.get_field("name").max_length or 50
_SOURCE_MAX: int = CalendarDay._meta.get_field("source").max_length or 200
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Command(BaseCommand):
    help = "Load or replace one year of holidays and make-up working days (--file), or print a year (--show)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", nargs="?", type=int, help="the year to load, e.g. 2027")
        parser.add_argument("--file", dest="path", help="JSON file: one year's entry or a holidays_cn.json")
        parser.add_argument("--show", type=int, metavar="YEAR", help="print the calendar rows of YEAR")

    def handle(
        self, *args: Any, year: int | None, path: str | None, show: int | None, **options: Any
    ) -> None:
        if show is not None:
            if year is not None or path:
                raise CommandError("--show YEAR cannot be combined with a year to load or --file.")
            self._show(show)
            return
        if year is None or not path:
            raise CommandError("Usage: calendar_add_year YEAR --file PATH, or calendar_add_year --show YEAR.")

        entry = _read_entry(Path(path), year)
        rows, source = _validate(entry, year, label=path)

        # One transaction: either the year is wholly replaced or, on any failure, nothing changed.
        with transaction.atomic():
            replaced, _ = CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(
                CalendarDay(date=day, kind=kind, name=name, source=source) for day, kind, name in rows
            )

        holidays = [r for r in rows if r[1] == DayKind.HOLIDAY]
        workdays = [r for r in rows if r[1] == DayKind.WORKDAY]
        self.stdout.write(
            self.style.SUCCESS(
                f"{year}: loaded {len(holidays)} holidays and {len(workdays)} make-up working days "
                f"(replaced {replaced} existing rows); source: {source or '-'}"
            )
        )
        for line in _summarise(rows):
            self.stdout.write(f"  {line}")

    def _show(self, year: int) -> None:
        rows = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
        if not rows:
            self.stdout.write(f"No calendar rows for {year}: the year is not covered.")
            return
        for row in rows:
            source = f"  [{row.source}]" if row.source else ""
            self.stdout.write(
                f"{row.date.isoformat()} {_WEEKDAYS[row.date.weekday()]}  {row.kind:<7}  {row.name}{source}"
            )
        holidays = sum(1 for row in rows if row.kind == DayKind.HOLIDAY)
        self.stdout.write(f"{year}: {holidays} holidays, {len(rows) - holidays} make-up working days.")


def _read_entry(path: Path, year: int) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from exc
    if isinstance(doc, dict) and "years" in doc:
        # The whole holidays_cn.json shape: take the requested year out of it.
        years = doc["years"]
        if not isinstance(years, dict):
            raise CommandError(f'{path}: "years" must be an object keyed by year.')
        if str(year) not in years:
            available = ", ".join(sorted(years)) or "none"
            raise CommandError(f"{path} has no entry for {year} (years in the file: {available}).")
        return years[str(year)]
    return doc


def _validate(entry: Any, year: int, *, label: str) -> tuple[list[tuple[date, str, str]], str]:
    """Check a year's entry; return its rows sorted by date and its source, or raise listing every problem."""
    errors: list[str] = []
    if not isinstance(entry, dict):
        raise CommandError(
            f"{label}: expected a JSON object with holidays and workdays, got {type(entry).__name__}."
        )

    declared = entry.get("year")
    if declared is not None and str(declared) != str(year):
        errors.append(f"the file is for year {declared}, not {year}")

    source = entry.get("notice", "")
    if not isinstance(source, str) or len(source) > _SOURCE_MAX:
        errors.append(f'"notice" must be a string of at most {_SOURCE_MAX} characters')
        source = ""

    rows: list[tuple[date, str, str]] = []
    seen: dict[date, str] = {}
    for key, kind in (("holidays", DayKind.HOLIDAY), ("workdays", DayKind.WORKDAY)):
        items = entry.get(key)
        if not isinstance(items, list):
            errors.append(f'"{key}" must be a list of {{"date": "YYYY-MM-DD", "name": "..."}}')
            continue
        for position, item in enumerate(items):
            where = f"{key}[{position}]"
            if not isinstance(item, dict):
                errors.append(f"{where}: expected an object with date and name")
                continue
            raw, name = item.get("date"), item.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > _NAME_MAX:
                errors.append(f"{where}: name must be a non-empty string of at most {_NAME_MAX} characters")
            day = _parse_date(raw)
            if day is None:
                errors.append(f"{where}: {raw!r} is not a date in YYYY-MM-DD form")
                continue
            where = f"{where} {day.isoformat()}"
            if day.year != year:
                errors.append(f"{where}: not in {year}")
            if day in seen:
                if seen[day] == key:
                    errors.append(f"{where}: listed twice in {key}")
                else:
                    errors.append(f"{where}: listed both as a holiday and as a make-up working day")
                continue
            seen[day] = key
            if kind == DayKind.WORKDAY and day.weekday() < 5:
                errors.append(
                    f"{where}: a make-up working day must be a Saturday or Sunday, "
                    f"this is a {_WEEKDAYS[day.weekday()]}"
                )
            rows.append((day, kind, name.strip() if isinstance(name, str) else ""))

    if isinstance(entry.get("holidays"), list) and not entry["holidays"]:
        # Every year has at least 元旦; an empty list is a mistake, and loading it would still mark the year
        # covered (through its workdays) with no holidays at all.
        errors.append("no holidays listed")

    if errors:
        listed = "\n".join(f"  - {e}" for e in errors)
        raise CommandError(f"{label} is not a valid {year} calendar; nothing was written:\n{listed}")
    rows.sort()
    return rows, source


def _parse_date(raw: Any) -> date | None:
    # date.fromisoformat alone also accepts "20270101" and week dates; the notices' dates are plain ISO days.
    if not isinstance(raw, str) or not _ISO_DATE.match(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _summarise(rows: list[tuple[date, str, str]]) -> list[str]:
    """One line per named break: its days off and its make-up working days, for eyeballing against the notice."""
    off: dict[str, list[date]] = defaultdict(list)
    work: dict[str, list[date]] = defaultdict(list)
    for day, kind, name in rows:
        (off if kind == DayKind.HOLIDAY else work)[name].append(day)
    lines = []
    for name, days in off.items():
        span = days[0].isoformat() if len(days) == 1 else f"{days[0].isoformat()}..{days[-1].isoformat()}"
        lines.append(f"{name}: {span} ({len(days)} days off)")
    for name, days in work.items():
        lines.append(f"{name}: work on {', '.join(d.isoformat() for d in days)}")
    return lines
