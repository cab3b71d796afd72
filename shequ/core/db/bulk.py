"""Bulk loading: many rows of a few tables at once, for synthetic history (the demo's living year, the city scale).

One door for it (STYLE.md §14): `load_rows(model, columns, rows)` writes rows whose values are already what the
columns hold (encrypted text already encrypted, JSON as Python objects, aware datetimes), without model signals,
`pre_save` or Django's compilers:

- PostgreSQL: `COPY table (columns) FROM STDIN` through psycopg's `cursor.copy()`, one row at a time as it comes
  (the rows may be a generator: nothing is held in memory), about ten times the rows per second of multi-row
  INSERTs (bench/lib/grow.py measured it first).
- SQLite: `executemany` of one INSERT in chunks, with datetimes and JSON adapted as Django's fields would.

`reserve(model, n)` and `reserve_sequence(name, n)` draw ids and sequence values before the rows are written (the
services draw theirs the same way, `batch.SequenceBlock`), so that rows may refer to each other without reading
anything back. `analyze(models)` refreshes the planner's statistics after the load (PostgreSQL; `ANALYZE` on SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model

SQLITE_CHUNK = 2000


def _json(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)  # as Django's JSONField writes it
    return value


def load_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    json_columns: Sequence[str] = (),
) -> int:
    """Write `rows` (tuples in the order of `columns`, database column names) into the model's table; returns
    how many. The values of `json_columns` may be Python objects (dumped as Django's JSONField dumps them); every
    other value is written as it is. Foreign keys are checked at COMMIT on PostgreSQL (Django's constraints are
    deferred) and at once on SQLite, so write the referenced rows first."""
    table = model._meta.db_table
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    dumped = [i for i, c in enumerate(columns) if c in json_columns]

    def prepared(row: Sequence[Any]) -> Sequence[Any]:
        if not dumped:
            return row
        out = list(row)
        for i in dumped:
            out[i] = _json(out[i])
        return out

    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's cursor under Django's wrapper
            with raw.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepared(row))
                    n += 1
            return n
        ops = connection.ops
        sql = f"INSERT INTO {q(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        chunk: list[list[Any]] = []
        for row in rows:
            chunk.append(
                [ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v for v in prepared(row)]
            )
            if len(chunk) >= SQLITE_CHUNK:
                cursor.executemany(sql, chunk)
                n += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            n += len(chunk)
    return n


def reserve(model: type[Model], n: int) -> list[int]:
    """`n` new ids of the model's table, never handed out again (PostgreSQL: `nextval` of its sequence; SQLite:
    past the AUTOINCREMENT counter, which then moves past them)."""
    if n <= 0:
        return []
    opts = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence('{opts.db_table}', '{opts.pk.column}')) "  # noqa: S608
                "FROM generate_series(1, %s)",
                [n],
            )
            return sorted(int(r[0]) for r in cursor.fetchall())
        table = connection.ops.quote_name(opts.db_table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - the model's table
        last = int(cursor.fetchone()[0])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [opts.db_table])
        row = cursor.fetchone()
        start = max(last, int(row[0]) if row else 0) + 1
        if row:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + n - 1, opts.db_table]
            )
        else:
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [opts.db_table, start + n - 1]
            )
    return list(range(start, start + n))


def reserve_sequence(name: str, n: int) -> list[int]:
    """`n` values of a named sequence (PostgreSQL: the sequence `name`; SQLite: its `core.SequenceCounter` row),
    as `batch.SequenceBlock` draws them one at a time."""
    if n <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, n])
            return sorted(int(r[0]) for r in cursor.fetchall())
        cursor.execute(
            "INSERT INTO core_sequencecounter (name, value) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = value + %s RETURNING value",
            [name, n, n],
        )
        last = int(cursor.fetchone()[0])
    return list(range(last - n + 1, last + 1))


def analyze(models: Iterable[type[Model]]) -> None:
    """Fresh planner statistics for the tables just loaded: autovacuum may take minutes to notice millions of
    new rows, and until then queries are planned for the old, small tables."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
