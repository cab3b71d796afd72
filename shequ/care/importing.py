"""Utility readings from a file become discovery entries: no water used for 48 hours at an elder's home.

The CSV format (UTF-8, a header row, one reading interval per row, as the water company exports it for the
households whose meter it has matched to the platform's 户号):

    household,meter,start,end,litres
    1024,SZW-00012345,2026-12-01T08:00:00+08:00,2026-12-02T08:00:00+08:00,0

- `household`: the platform's household number (户号, residents.Household id).
- `meter`: the water company's meter number (kept only in the entry's reference).
- `start`, `end`: ISO 8601 with offset (a time without offset is read as Asia/Shanghai).
- `litres`: water used in the interval, a number >= 0.

Consecutive intervals of zero use at one household are joined; when a joined stretch lasts 48 hours or more and
the household has an elder (60 or older) in a special group of elders (独居老人, 空巢老人, 高龄独居), one entry is
made per elder and stretch. Re-importing the same file makes nothing new (the entry's reference is the stretch).
Bad rows are reported by line number and skipped; they never stop the good ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext

from shequ.residents.models import Resident

from .choices import ELDER_CODES, DiscoveryKind
from .models import GroupMembership
from .services import discovery_record

COLUMNS = ("household", "meter", "start", "end", "litres")
DRY_HOURS = 48


@dataclass
class ImportReport:
    rows: int = 0
    entries: int = 0
    errors: list[str] = field(default_factory=list)


def _when(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def import_utility_readings(text: str, *, today: dt.date | None = None) -> ImportReport:
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or [c.strip() for c in reader.fieldnames] != list(COLUMNS):
        report.errors.append("header must be: " + ",".join(COLUMNS))
        return report
    readings: dict[int, list[tuple[dt.datetime, dt.datetime, Decimal, str]]] = {}
    for line, row in enumerate(reader, start=2):
        report.rows += 1
        try:
            household = int(row["household"])
            start, end = _when(row["start"]), _when(row["end"])
            litres = Decimal(row["litres"])
            if end <= start or litres < 0:
                raise ValueError
        except (TypeError, ValueError, InvalidOperation, KeyError):
            report.errors.append(f"line {line}: bad row")
            continue
        readings.setdefault(household, []).append((start, end, litres, (row.get("meter") or "").strip()))
    elders: dict[int, dict[int, Resident]] = {}
    for m in GroupMembership.objects.filter(
        active=True, tag__code__in=ELDER_CODES, resident__household_id__in=list(readings)
    ).select_related("resident"):
        elders.setdefault(m.resident.household_id, {})[m.resident.pk] = m.resident
    for household, rows in readings.items():
        if household not in elders:
            continue
        for start, end, meter in _dry_stretches(sorted(rows)):
            hours = (end - start).total_seconds() / 3600
            for resident in elders[household].values():
                _, created = discovery_record(
                    kind=DiscoveryKind.UTILITY,
                    resident=resident,
                    summary=gettext("No water used for %(hours)d hours from %(start)s.")
                    % {"hours": hours, "start": timezone.localtime(start).strftime("%Y-%m-%d %H:%M")},
                    source_ref=f"utility:{resident.pk}:{meter}:{start.isoformat()}",
                )
                report.entries += created
    return report


def _dry_stretches(rows):
    """Join consecutive zero-use intervals; yield the stretches of DRY_HOURS or more."""
    run_start = run_end = None
    meter = ""
    for start, end, litres, m in rows:
        if litres == 0 and run_end is not None and start <= run_end:
            run_end = max(run_end, end)
            continue
        if run_start is not None and (run_end - run_start).total_seconds() >= DRY_HOURS * 3600:
            yield run_start, run_end, meter
        run_start, run_end, meter = (start, end, m) if litres == 0 else (None, None, "")
    if run_start is not None and (run_end - run_start).total_seconds() >= DRY_HOURS * 3600:
        yield run_start, run_end, meter
