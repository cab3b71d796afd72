"""Django's PostgreSQL compilers, with the SQL of an INSERT built once per shape instead of on every save.

Django compiles every INSERT from scratch: for each value it asks whether it is an expression, whether the field
has a placeholder of its own, quotes the column names, joins the placeholders (bench/intake: about a quarter of an
intake's CPU in the worker, for five INSERTs whose text never changes). This compiler keeps the statement Django
built the first time for a shape (the model's table, its fields, the number of rows, the conflict clause and the
returned columns) and afterwards only prepares the values, with the same field methods Django calls
(`Field.pre_save`, `Field.get_db_prep_save`), into the parameter layout that statement takes: one parameter a value
(VALUES rows), or one array a column (Django's UNNEST form of a bulk insert).

A bulk insert of up to SMALL_BULK rows is sent as VALUES rows, as one row is, rather than in Django's UNNEST form
(one array a column): the arrays cost the driver more to type and dump than a short VALUES list costs the server,
whose plan a prepared statement keeps anyway (bench/RESULTS.md §1.3).

An expression among the values (the appeal number's `nextval`) is compiled on every INSERT, as Django does, and
its SQL is part of the shape. Not cached: a field with a placeholder of its own (its SQL may depend on the value)
and an empty row (DEFAULT VALUES); those go through Django's compiler unchanged, as does the first INSERT of every
shape, whose statement is what the cache then keeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.backends.postgresql.compiler import (
    InsertUnnest,
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLInsertCompiler as DjangoInsertCompiler
from django.db.models.sql.compiler import SQLInsertCompiler as GenericInsertCompiler

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]

# shape → (statement, its returning params, "unnest" | "values"). A shape is the table, the fields, the number of
# rows, the conflict clause, the returned columns and the SQL of any expression among the values. Shapes are few
# (models × row counts of bulk inserts); the bound only guards against a caller that bulk-inserts every row count.
_STATEMENTS: dict[tuple, tuple[str, tuple, str]] = {}
MAX_SHAPES = 2048
# Up to this many rows, a bulk insert is sent as VALUES rows rather than Django's UNNEST arrays.
SMALL_BULK = 8


class _Expression:
    """A value of the INSERT that is an expression, compiled: its SQL is part of the statement's text."""

    __slots__ = ("params", "sql")

    def __init__(self, sql: str, params: Any) -> None:
        self.sql, self.params = sql, tuple(params)


class SQLInsertCompiler(DjangoInsertCompiler):
    _presaved: Iterator[Any] | None = None
    _placeholders: Any = None

    def pre_save_val(self, field: Any, obj: Any) -> Any:
        # On a cache miss Django's as_sql runs with the values this compiler already took (in its order: each
        # object, each field), so that pre_save (auto_now, a file's commit) runs once per value, as in Django.
        if self._presaved is not None:
            return next(self._presaved)
        return super().pre_save_val(field, obj)

    def assemble_as_sql(self, fields: Any, value_rows: Any) -> Any:
        if len(value_rows) <= SMALL_BULK:
            # A few rows go as VALUES rows, as a single row does: Django's UNNEST form (one array a column) saves
            # the server planning a long VALUES list, but costs the driver more to send (each array's elements
            # are typed and dumped in Python) than it saves for two or three rows, and a prepared statement is
            # planned once anyway.
            placeholders, params = GenericInsertCompiler.assemble_as_sql(self, fields, value_rows)
        else:
            placeholders, params = super().assemble_as_sql(fields, value_rows)
        self._placeholders = placeholders
        return placeholders, params

    def as_sql(self) -> list[tuple[str, tuple]]:
        query = self.query
        fields = query.fields
        if not fields or any(hasattr(field, "get_placeholder") for field in fields):
            return super().as_sql()
        connection = self.connection
        raw = query.raw
        presaved = [
            [getattr(obj, field.attname) if raw else field.pre_save(obj, add=True) for field in fields]
            for obj in query.objs
        ]
        rows: list[list[Any]] = []
        expressions: list[tuple[int, int, str]] = []
        for i, row in enumerate(presaved):
            prepared = []
            for j, (field, value) in enumerate(zip(fields, row, strict=True)):
                if hasattr(value, "resolve_expression") or hasattr(value, "as_sql"):
                    # Resolved and checked as Django does (an F() or an aggregate is refused here), then compiled.
                    sql, params = self.compile(self.prepare_value(field, value))
                    expressions.append((i, j, sql))
                    prepared.append(_Expression(sql, params))
                else:
                    prepared.append(field.get_db_prep_save(value, connection=connection))
            rows.append(prepared)
        key = (
            query.model,
            tuple(fields),
            len(rows),
            query.on_conflict,
            tuple(query.update_fields or ()),
            tuple(query.unique_fields or ()),
            tuple(self.returning_fields or ()),
            tuple(expressions),
        )
        cached = _STATEMENTS.get(key)
        if cached is not None:
            sql, self.returning_params, cached_layout = cached
            if cached_layout == "unnest":
                return [
                    (sql, tuple(list(column) for column in zip(*rows, strict=True)) + self.returning_params)
                ]
            if not expressions:
                return [(sql, tuple(v for row in rows for v in row) + self.returning_params)]
            flat: list[Any] = []
            for row in rows:
                for v in row:
                    if isinstance(v, _Expression):
                        flat.extend(v.params)
                    else:
                        flat.append(v)
            return [(sql, tuple(flat) + self.returning_params)]
        # A new shape: Django compiles it, from the values taken above.
        self._presaved, self._placeholders = iter([v for row in presaved for v in row]), None
        try:
            statements = super().as_sql()
        finally:
            self._presaved = None
        layout = None
        if isinstance(self._placeholders, InsertUnnest):
            layout = "unnest"
        elif self._placeholders is not None and [list(p) for p in self._placeholders] == [
            [v.sql if isinstance(v, _Expression) else "%s" for v in row] for row in rows
        ]:
            layout = "values"
        if layout is not None and len(statements) == 1:
            if len(_STATEMENTS) >= MAX_SHAPES:
                _STATEMENTS.clear()
            _STATEMENTS[key] = (statements[0][0], tuple(self.returning_params), layout)
        return statements
