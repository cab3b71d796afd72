"""Labelled files for training and evaluation: .jsonl, .csv and .xlsx, one example per line or row.

`--text-fields title,text` joins those fields with a newline (missing and empty fields skipped); rows without
text or label are counted and skipped, never guessed.
"""

from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shequ.core.errors import ShequError

FORMATS = (".jsonl", ".csv", ".xlsx")


@dataclass
class LabelledData:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    extras: list[dict[str, Any]] = field(default_factory=list)  # the other requested fields, per row
    skipped: int = 0
    source: str = ""

    def __len__(self) -> int:
        return len(self.texts)


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ShequError(f"line {number} is not JSON: {exc.msg}", code="invalid_file") from None
                if not isinstance(row, dict):
                    raise ShequError(f"line {number} is not a JSON object", code="invalid_file")
                yield row
    elif suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from csv.DictReader(fh)
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = sheet.iter_rows(values_only=True)
            header = [str(c).strip() if c is not None else "" for c in next(rows, ()) or ()]
            for values in rows:
                yield {h: v for h, v in zip(header, values, strict=False) if h}
        finally:
            workbook.close()
    else:
        raise ShequError(
            f"unsupported file type {suffix!r}; one of {', '.join(FORMATS)}", code="invalid_file"
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def read_labelled(
    path: str | Path,
    *,
    text_fields: Sequence[str] = ("text",),
    label_field: str = "label",
    extra_fields: Sequence[str] = (),
) -> LabelledData:
    path = Path(path)
    if not path.is_file():
        raise ShequError(f"no such file: {path}", code="invalid_file")
    data = LabelledData(source=path.name)
    seen_fields: set[str] = set()
    for row in _rows(path):
        seen_fields.update(row)
        text = "\n".join(t for t in (_text(row.get(f)) for f in text_fields) if t)
        label = _text(row.get(label_field))
        if not text or not label:
            data.skipped += 1
            continue
        data.texts.append(text)
        data.labels.append(label)
        data.extras.append({f: row.get(f) for f in extra_fields})
    missing = [f for f in (*text_fields, label_field) if f not in seen_fields]
    if seen_fields and missing:
        raise ShequError(f"{path.name} has no field {', '.join(missing)}", code="invalid_file")
    if not data.texts:
        raise ShequError(f"{path.name} has no labelled rows", code="invalid_file")
    return data
