"""Writes that need nothing back, sent to PostgreSQL together: one statement and one round trip for several.

An intake inserts its timeline events, its after-intake queue row, its outbox message, its assignments and its KPI
rollup increments. Nothing of the request reads those rows back or needs their ids, yet each was its own statement:
a round trip, a protocol exchange on both sides and a wake-up of the worker and of its PostgreSQL backend, on a
machine whose two cores are the limit (bench/intake: each such INSERT cost about a quarter of a millisecond of CPU
in all). Inside `batched_writes()`, `insert_rows` and `write_together` collect such statements, and the block's
end sends them as one statement of data-modifying WITH clauses:

    WITH w0 AS (INSERT INTO appeals_event …), w1 AS (INSERT INTO dispatch_intakequeue …) INSERT INTO … ;

PostgreSQL runs every data-modifying WITH to completion whether or not the main statement reads it, all of them
against the same snapshot. That is why a batch holds only independent writes: plain INSERTs into different tables,
or upserts whose keys no other statement of the batch touches (`kpis` sends one row per key and table).

Nothing reads stale data: any other statement on the connection inside the block (a SELECT, an UPDATE, a save that
needs its id back) first sends what is pending (a Django execute wrapper), so the block reads and writes in the
order it was written. An exception inside the block drops what is pending; the block must lie inside the
transaction that commits (`transaction.atomic()`), which then rolls back anyway. Foreign keys are checked at COMMIT
(Django creates them DEFERRABLE INITIALLY DEFERRED), so their order inside the statement does not matter.

A read that must come after the pending writes, such as the audit chain's append with its lock, can ride at the
end of the same statement (`read_after_writes`): the writes then become WITH clauses that return a row per row
written, and the read a call that takes their count as an argument, which makes PostgreSQL finish them first.

Outside a block, and on SQLite (one writer, no network), every statement runs at once, as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model

Statement = tuple[str, Sequence[Any]]

# The open batch's pending statements, by database alias; a ContextVar keeps concurrent requests apart.
_batch_var: contextvars.ContextVar[dict[str, list[Statement]] | None] = contextvars.ContextVar(
    "shequ_db_batches", default=None
)


def _pending() -> list[Statement] | None:
    # `connection` is the default database's (django.db.connection): its alias, without a lookup through the proxy.
    batches = _batch_var.get()
    return batches.get(DEFAULT_DB_ALIAS) if batches else None


@contextlib.contextmanager
def batched_writes() -> Iterator[None]:
    """Collect the block's `insert_rows` and `write_together` statements and send them as one when it ends (or
    before any other statement the block runs). PostgreSQL only; a no-op elsewhere. A block inside a block joins
    the outer one."""
    if connection.vendor != "postgresql" or _pending() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("batched_writes() runs inside transaction.atomic()")
    pending: list[Statement] = []
    token = _batch_var.set({**(_batch_var.get() or {}), DEFAULT_DB_ALIAS: pending})
    try:
        with connection.execute_wrapper(_send_pending_first):
            yield
    finally:
        _batch_var.reset(token)
    _send(pending)  # not reached on an exception: the transaction rolls back


def _send_pending_first(execute: Any, sql: str, params: Any, many: bool, context: dict) -> Any:
    pending = _pending()
    if pending:
        statements = pending[:]
        pending.clear()  # before sending: the wrapper sees the batch's own statement too
        _send(statements)
    return execute(sql, params, many, context)


def _send(statements: list[Statement]) -> None:
    if not statements:
        return
    with connection.cursor() as cursor:
        cursor.execute(*combined(statements))


def combined(statements: Sequence[Statement]) -> Statement:
    """Several data-modifying statements (none with a WITH of its own) as one: the last one is the main statement,
    the others its WITH clauses. Parameters stay in the order of the text (`%s` placeholders)."""
    *ctes, (last_sql, _params) = statements
    params = [p for _sql, statement_params in statements for p in statement_params]
    if not ctes:
        return last_sql, params
    head = ", ".join(f"w{i} AS ({sql})" for i, (sql, _p) in enumerate(ctes))
    return f"WITH {head} {last_sql}", params


def read_after_writes(sql: str, params: Sequence[Any]) -> list[tuple]:
    """Run a reading statement and return its rows; inside a batch with writes pending, in the same round trip,
    after them.

    `sql` holds `{after}` once, where an integer expression may stand (a function's argument, say). With writes
    pending, each becomes a WITH clause that returns a row per row written, and `{after}` their count: PostgreSQL
    evaluates that count, and so finishes every pending write, before it calls a function that takes `{after}` as
    an argument (an unreferenced data-modifying WITH would run after the main statement instead). Only what depends
    on `{after}` waits for it: put the lock or the read that must follow the writes inside such a call, as
    `audit_append(…, {after})` does. Without writes pending, `{after}` is 0."""
    pending = _pending()
    with connection.cursor() as cursor:
        if not pending:
            cursor.execute(sql.replace("{after}", "0"), params)
            return cursor.fetchall()
        if any("RETURNING" in text for text, _params in pending):
            raise ValueError("a batched write that returns rows cannot go before a read")
        writes = [(f"{text} RETURNING 1", statement_params) for text, statement_params in pending]
        pending.clear()  # before executing: the wrapper must not send them again
        after = " + ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(writes)))  # noqa: S608 - names we number
        cursor.execute(*combined([*writes, (sql.replace("{after}", after), params)]))
        return cursor.fetchall()


def write_together(statements: Sequence[Statement]) -> None:
    """Run independent data-modifying statements: into the open batch, else at once (one statement on
    PostgreSQL, one after the other elsewhere)."""
    if not statements:
        return
    pending = _pending()
    if pending is not None:
        pending.extend(statements)
        return
    if connection.vendor == "postgresql":
        _send(list(statements))
        return
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def insert_rows(objs: Sequence[Model]) -> None:
    """INSERT new rows of one model whose ids nobody needs: no RETURNING, so in a batch no round trip of its own.

    As `bulk_create`, it fills each foreign key's id from the related object (saved earlier in the block) and sends
    no signals; the objects are marked saved, with `pk` left unset where the database assigns it."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    # The auto id is left to the database, as Model.save does when it is unset; an id set beforehand (taken from
    # a `SequenceBlock`) is inserted.
    with_ids = {obj.pk is not None for obj in objs}
    if len(with_ids) > 1:
        raise ValueError("insert_rows: either every row has its id set, or none")
    fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field or with_ids == {True}]
    for obj in objs:
        # What bulk_create does: a related object saved earlier in the block lends its new id to the key.
        obj._prepare_related_fields_for_save(operation_name="insert_rows")  # type: ignore[attr-defined]
    from django.db.models import sql as models_sql

    query = models_sql.InsertQuery(model)
    query.insert_values(fields, list(objs), raw=False)
    compiler_class = _insert_compiler_class()
    if compiler_class is not None:
        compiler = compiler_class(query, connection, DEFAULT_DB_ALIAS)
    else:
        compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    # No returning fields: the compiler gives one statement (several only for a bulk that returns rows).
    statements = compiler.as_sql()
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
    write_together(statements)


def _insert_compiler_class() -> Any:
    """The INSERT compiler that keeps each statement's text (postgresql/compiler.py) on PostgreSQL with a Django
    version it was checked against; None for Django's own."""
    if connection.vendor != "postgresql":
        return None
    import django

    from .postgresql import compiler

    if django.VERSION[:2] not in compiler.CHECKED_DJANGO_VERSIONS:
        return None
    return compiler.SQLInsertCompiler


class SequenceBlock:
    """The next id of a table and the next values of named sequences, drawn before a row's INSERT, so that the
    INSERT needs nothing back and can join a batch of writes (`insert_rows`). `take()` returns one tuple: the id
    first (when `ids_of` names a model), then one value per name in `sequences`.

    PostgreSQL: `nextval` of the table's id sequence and of the named sequences, a block of `size` rows at a time
    per process (the pooled allocation of Hibernate and other ORMs, done with `nextval` over `generate_series`):
    one query every `size` rows, outside or inside the caller's transaction alike (nextval is not rolled back).
    The prices, both as with any sequence rolled back or cached (`CACHE n`):

    - across processes the values are not in the order the rows are written: each process draws from its own
      block, so two rows written a second apart by two workers may be numbered the other way round (at most
      `size` values a process apart). Nothing here sorts by them: lists order by time, the id breaks ties.
    - the values a process still holds when it ends are never used: gaps.

    A forked child (a gunicorn worker of a preloading master) never uses its parent's block, and neither does a
    thread another's row (a lock). `clear()` forgets the block (after a `setval`, in tests).

    SQLite: one value at a time, in the caller's transaction (which holds the database's single write lock): the
    table's id from its AUTOINCREMENT counter (`sqlite_sequence`), a named sequence from its row of
    `core.SequenceCounter`. A rolled-back transaction gives its values back. The default database."""

    def __init__(
        self, *, ids_of: type[Model] | None = None, sequences: Sequence[str] = (), size: int = 16
    ) -> None:
        self.ids_of, self.sequences, self.size = ids_of, tuple(sequences), size
        self._lock = threading.Lock()
        self._rows: dict[int, list[tuple[int, ...]]] = {}  # by process id

    def with_size(self, size: int) -> SequenceBlock:
        """The same values drawn in blocks of another size (a test that wants a block of its own)."""
        return SequenceBlock(ids_of=self.ids_of, sequences=self.sequences, size=size)

    def take(self) -> tuple[int, ...]:
        if connection.vendor != "postgresql":
            return self._take_sqlite()
        pid = os.getpid()
        with self._lock:
            rows = self._rows.get(pid)
            if not rows:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {self._nextvals()} FROM generate_series(1, %s)",  # noqa: S608 - names we own
                        [self.size],
                    )
                    rows = self._rows[pid] = [tuple(int(v) for v in row) for row in cursor.fetchall()][::-1]
            return rows.pop()

    def _nextvals(self) -> str:
        calls = []
        if self.ids_of is not None:
            opts = self.ids_of._meta
            calls.append(f"nextval(pg_get_serial_sequence('{opts.db_table}', '{opts.pk.column}'))")
        calls += [f"nextval('{name}')" for name in self.sequences]
        return ", ".join(calls)

    def _take_sqlite(self) -> tuple[int, ...]:
        values: list[int] = []
        with connection.cursor() as cursor:
            if self.ids_of is not None:
                opts = self.ids_of._meta
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = %s RETURNING seq", [opts.db_table]
                )
                row = cursor.fetchone()
                if row is None:  # no row was ever inserted: the counter starts past any id already there
                    table, pk = (
                        connection.ops.quote_name(opts.db_table),
                        connection.ops.quote_name(opts.pk.column),
                    )
                    cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table}")  # noqa: S608 - our names
                    row = cursor.fetchone()
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [opts.db_table, row[0]]
                    )
                values.append(int(row[0]))
            for name in self.sequences:
                cursor.execute(
                    "INSERT INTO core_sequencecounter (name, value) VALUES (%s, 1) "
                    "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                    [name],
                )
                values.append(int(cursor.fetchone()[0]))
        return tuple(values)

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
