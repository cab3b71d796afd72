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

The values of the common core fields (text, integers, booleans, dates, aware datetimes, keys to an automatic id)
are prepared by a converter kept per field, which returns what Django's `get_db_prep_save` chain would return on
PostgreSQL for a value of the exact expected type (the same object, or the driver's integer wrapper) without its
four or five calls; any other field or value takes Django's own method (bench/RESULTS.md §1).

An expression among the values (the appeal number's `nextval`) is compiled on every INSERT, as Django does, and
its SQL is part of the shape. Not cached: a field with a placeholder of its own (its SQL may depend on the value)
and an empty row (DEFAULT VALUES); those go through Django's compiler unchanged, as does the first INSERT of every
shape, whose statement is what the cache then keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from django.db import models
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

# The Django versions whose SQLInsertCompiler this one was read against (as_sql, assemble_as_sql, pre_save_val,
# prepare_value and the order in which they hand values over). Django 6.0 hands the uncached path's values in
# column order where 5.2 hands them row by row: with 6.0 this compiler would transpose multi-row inserts. So
# pyproject.toml pins Django below 6, `insert_rows` uses this compiler only with a version listed here (Django's own
# otherwise), and a test fails loudly on any other version.
CHECKED_DJANGO_VERSIONS = frozenset({(5, 2)})

# shape → (statement, its returning params, "unnest" | "values"). A shape is the table, the fields, the number of
# rows, the conflict clause, the returned columns and the SQL of any expression among the values. Shapes are few
# (models × row counts of bulk inserts); the bound only guards against a caller that bulk-inserts every row count.
_STATEMENTS: dict[tuple, tuple[str, tuple, str]] = {}
MAX_SHAPES = 2048
# Up to this many rows, a bulk insert is sent as VALUES rows rather than Django's UNNEST arrays.
SMALL_BULK = 8


Converter = Callable[[Any, Any], Any]  # (value, connection) -> the value as the INSERT's parameter

_TEXT = (models.CharField, models.TextField)
_INTEGER = (
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)
_AUTO = (models.AutoField, models.BigAutoField, models.SmallAutoField)
_KEYS = (models.ForeignKey, models.OneToOneField)
# Per field (its id, with the field to tell a reused id apart): the converter of its values.
_CONVERTERS: dict[int, tuple[Any, Converter]] = {}


def _converter(field: Any, connection: Any) -> Converter:
    """What `field.get_db_prep_save(value, connection)` returns on PostgreSQL with psycopg 3, by a shorter way for
    the values it passes through unchanged. Only these exact classes (a subclass may convert differently, as the
    encrypted fields do) and exact value types; everything else goes to Django's method.

    - CharField, TextField: a str or None is returned as is (`to_python` keeps both).
    - Integer fields: an int is wrapped in the driver's type of the column (`adapt_integerfield_value`), None kept.
    - A key to an automatic id (`ForeignKey.get_db_prep_save`, then the AutoField's): an int or None as is.
    - BooleanField: a bool as is; DateField: a date as is; DateTimeField: an aware datetime as is (a naive one
      goes to Django, which warns about it); `adapt_date(time)field_value` returns its value on PostgreSQL.
    """
    slow = field.get_db_prep_save
    kind = type(field)

    def django(value: Any, connection: Any) -> Any:
        return slow(value, connection=connection)

    if kind in _TEXT:

        def text(value: Any, connection: Any) -> Any:
            return value if value is None or type(value) is str else slow(value, connection=connection)

        return text
    if kind in _INTEGER:
        wrap = getattr(connection.ops, "integerfield_type_map", {}).get(field.get_internal_type())
        if wrap is None:
            return django

        def integer(value: Any, connection: Any) -> Any:
            if type(value) is int:
                return wrap(value)
            return None if value is None else slow(value, connection=connection)

        return integer
    if kind in _KEYS and type(field.target_field) in _AUTO:

        def key(value: Any, connection: Any) -> Any:
            return value if value is None or type(value) is int else slow(value, connection=connection)

        return key
    if kind is models.BooleanField:
        return lambda value, connection: value if type(value) is bool else slow(value, connection=connection)
    if kind is models.DateField:
        return lambda value, connection: (
            value if value is None or type(value) is date else slow(value, connection=connection)
        )
    if kind is models.DateTimeField:

        def moment(value: Any, connection: Any) -> Any:
            if value is None or (type(value) is datetime and value.tzinfo is not None):
                return value
            return slow(value, connection=connection)

        return moment
    return django


def _converters(fields: Any, connection: Any) -> list[Converter]:
    converters = []
    for field in fields:
        known = _CONVERTERS.get(id(field))
        if known is None or known[0] is not field:
            known = _CONVERTERS[id(field)] = (field, _converter(field, connection))
        converters.append(known[1])
    return converters


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
        converters = _converters(fields, connection)
        for i, row in enumerate(presaved):
            prepared = []
            for j, (field, value, convert) in enumerate(zip(fields, row, converters, strict=True)):
                if hasattr(value, "resolve_expression") or hasattr(value, "as_sql"):
                    # Resolved and checked as Django does (an F() or an aggregate is refused here), then compiled.
                    sql, params = self.compile(self.prepare_value(field, value))
                    expressions.append((i, j, sql))
                    prepared.append(_Expression(sql, params))
                else:
                    prepared.append(convert(value, connection))
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
