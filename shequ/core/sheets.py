"""Reading .xlsx uploads safely: size and type checked, headers mapped to fields, rows streamed with numbers.

Shared by every all-or-nothing import (responsibility list, …): the caller validates rows and writes in one
transaction; this module only turns a file into (excel_row_number, {field: value}) pairs or a clear error.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext
from openpyxl import load_workbook

from .errors import ShequError

XLSX_MAGIC = b"PK\x03\x04"


def read_rows(
    fileobj: IO[bytes],
    *,
    columns: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    max_rows: int = 5000,
    max_bytes: int = 5 * 1024 * 1024,
) -> Iterator[tuple[int, dict[str, object]]]:
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ShequError(
            gettext("The file is larger than %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
            code="invalid_file",
        )
    if not data.startswith(XLSX_MAGIC):
        raise ShequError(gettext("Only Excel .xlsx files can be imported."), code="invalid_file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ShequError(
            gettext("The file could not be read as an Excel .xlsx workbook."), code="invalid_file"
        ) from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ShequError(gettext("The workbook has no sheet."), code="invalid_file")
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise ShequError(
            gettext("The sheet is empty: row 1 must hold the column names."), code="invalid_file"
        )
    lookup = {h.lower(): f for f, names in columns.items() for h in names}
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = str(cell).strip().lower() if cell is not None else ""
        if name in lookup:
            index[lookup[name]] = i
    missing = [columns[f][0] for f in required if f not in index]
    if missing:
        raise ShequError(
            gettext("Missing columns: %(columns)s.") % {"columns": "、".join(missing)},
            code="invalid_file",
            fields={"columns": missing},
        )
    for number, row in enumerate(rows, start=2):
        if number - 1 > max_rows:
            raise ShequError(
                gettext("The file has more than %(n)d rows: split it.") % {"n": max_rows}, code="invalid_file"
            )
        if row is None or all(v is None or str(v).strip() == "" for v in row):
            continue
        yield number, {f: (row[i] if i < len(row) else None) for f, i in index.items()}
