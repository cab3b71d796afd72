"""Exports to .csv and .xlsx that spreadsheets cannot be tricked by (CSV/formula injection, OWASP).

A cell that starts with = + - @ or a tab/carriage return is what Excel and WPS evaluate as a formula; we prefix it
with an apostrophe. Callers pass rows that are already masked; every text cell also goes through `redact`, so a
phone, ID number, bank card or e-mail typed into free text (a description, a note, an audit purpose) never leaves
in a file unmasked, whichever export forgot it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from .masking import redact

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | date):
        return value
    text = redact(str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    # A BOM so that Excel on Chinese Windows opens UTF-8 correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[object]], *, title: str = "export") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    ws.append([safe_cell(h) for h in headers])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_response(
    fmt: str, *, filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, title=filename)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
