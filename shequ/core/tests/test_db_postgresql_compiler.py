"""The PostgreSQL INSERT compiler that keeps each statement's text (shequ.core.db.postgresql.compiler): once a shape is cached,
it must send what Django's own compiler sends for the same values, and the rows must read back the same."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.backends.postgresql.compiler import SQLInsertCompiler as DjangoInsertCompiler
from django.db.models import F, Value
from django.db.models.constants import OnConflict
from django.db.models.expressions import RawSQL
from django.db.models.fields import DateTimeField
from django.db.models.sql import InsertQuery
from django.db.models.sql.compiler import SQLInsertCompiler as GenericInsertCompiler
from psycopg.types.json import Jsonb

from shequ.core.db.postgresql import compiler as pg_compiler
from shequ.core.models import CalendarDay, IdempotencyKey

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the compiler of PostgreSQL")

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    monkeypatch.setattr(pg_compiler, "_STATEMENTS", {})


@pytest.fixture
def everywhere(monkeypatch):
    """The compiler for every INSERT of the test, as for `insert_rows`: saves and bulk_create exercise it with
    returned ids too (in the project only the batch path uses it)."""
    monkeypatch.setattr(connection.ops, "compiler_module", pg_compiler.__name__)
    monkeypatch.setattr(connection.ops, "_cache", None)


def keys(n: int, start: int = 0, *, response: Any = None) -> list[IdempotencyKey]:
    return [
        IdempotencyKey(
            scope=f"user:{start + i}",
            key=f"k-{start + i}",
            fingerprint="f" * 64,
            status_code=200 + i,
            response=response if response is not None else {"id": start + i, "note": "诉求"},
        )
        for i in range(n)
    ]


def compiled(
    compiler_class: type,
    objs: list,
    *,
    returning: bool = True,
    fields: list | None = None,
    **query_kwargs: Any,
) -> list[tuple[str, tuple]]:
    model = type(objs[0])
    query = InsertQuery(model, **query_kwargs)
    fields = fields or [f for f in model._meta.concrete_fields if not f.primary_key]
    query.insert_values(fields, objs)
    compiler = compiler_class(query, connection, "default")
    compiler.returning_fields = model._meta.db_returning_fields if returning else None
    return compiler.as_sql()


def comparable(statements: list[tuple[str, tuple]]) -> list[tuple[str, list]]:
    def value(v: Any) -> Any:
        if isinstance(v, Jsonb):
            return ("jsonb", v.obj)
        if isinstance(v, list):
            return [value(x) for x in v]
        return v

    return [(sql, [value(p) for p in params]) for sql, params in statements]


def test_every_insert_but_the_batch_path_is_compiled_by_django():
    assert connection.ops.compiler("SQLInsertCompiler") is DjangoInsertCompiler


def test_insert_rows_uses_this_compiler(monkeypatch):
    from shequ.core.db import batch

    assert batch._insert_compiler_class() is pg_compiler.SQLInsertCompiler
    monkeypatch.setattr(pg_compiler, "CHECKED_DJANGO_VERSIONS", frozenset())
    assert batch._insert_compiler_class() is None  # an unchecked Django: its own compiler everywhere


def test_the_django_in_use_is_one_the_compiler_was_checked_against():
    import django

    assert django.VERSION[:2] in pg_compiler.CHECKED_DJANGO_VERSIONS, (
        f"shequ/core/db/postgresql/compiler.py was checked against Django "
        f"{sorted(pg_compiler.CHECKED_DJANGO_VERSIONS)}, not {django.get_version()}: read the new version's "
        "SQLInsertCompiler (as_sql, assemble_as_sql, pre_save_val, prepare_value), compare, then add it. "
        "Until then insert_rows uses Django's own compiler."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "returning", "query_kwargs"),
    [
        (1, True, {}),  # Model.save: VALUES with RETURNING id
        (3, True, {}),  # a small bulk_create returning the ids: VALUES rows
        (12, True, {}),  # a larger one: Django's UNNEST
        (3, False, {}),  # bulk_create without returning
        (2, False, {"on_conflict": OnConflict.IGNORE}),
        (
            2,
            False,
            {
                "on_conflict": OnConflict.UPDATE,
                "update_fields": [IdempotencyKey._meta.get_field("status_code")],
                "unique_fields": [
                    IdempotencyKey._meta.get_field("scope"),
                    IdempotencyKey._meta.get_field("key"),
                ],
            },
        ),
    ],
)
def test_a_cached_shape_sends_what_django_sends(rows, returning, query_kwargs):
    # created_at (auto_now_add) would differ from one compilation to the next: left to its database default here.
    fields = [f for f in IdempotencyKey._meta.concrete_fields if f.name not in ("id", "created_at")]
    kw = {"returning": returning, "fields": fields, **query_kwargs}
    django = GenericInsertCompiler if rows <= pg_compiler.SMALL_BULK else DjangoInsertCompiler
    # The uncached path (the first of a shape, which Django compiles from the values this compiler took): the
    # values in the order Django's statement takes them, row by row (a transposition would show with these rows,
    # every value of which differs from the others).
    first = compiled(pg_compiler.SQLInsertCompiler, keys(rows), **kw)
    assert comparable(first) == comparable(compiled(django, keys(rows), **kw))
    assert len(pg_compiler._STATEMENTS) == 1  # the shape is now cached
    # New values in the same shape: the cached statement with these values' parameters …
    ours = compiled(pg_compiler.SQLInsertCompiler, keys(rows, 10), **kw)
    assert len(pg_compiler._STATEMENTS) == 1
    # … equals what Django's compiler builds from scratch for them (ours: VALUES up to SMALL_BULK rows).
    theirs = compiled(django, keys(rows, 10), **kw)
    assert comparable(ours) == comparable(theirs)
    assert ours[0][0] == first[0][0]
    assert comparable(ours) != comparable(first)  # the values did change
    assert ("UNNEST" in ours[0][0]) == (rows > pg_compiler.SMALL_BULK)


@pytest.mark.django_db
def test_an_expression_among_the_values_is_compiled_every_time_and_part_of_the_shape():
    fields = [IdempotencyKey._meta.get_field(n) for n in ("scope", "key", "fingerprint", "created_at")]

    def objs(expression: Any) -> list[IdempotencyKey]:
        obj = IdempotencyKey(scope="s", key="k", fingerprint="f")
        obj.key = expression
        return [obj]

    ours_a = compiled(pg_compiler.SQLInsertCompiler, objs(RawSQL("%s || 'x'", ["a"])), fields=fields)
    ours_b = compiled(pg_compiler.SQLInsertCompiler, objs(RawSQL("%s || 'x'", ["b"])), fields=fields)
    ours_c = compiled(pg_compiler.SQLInsertCompiler, objs(RawSQL("upper(%s)", ["c"])), fields=fields)
    assert len(pg_compiler._STATEMENTS) == 2  # the two RawSQL texts are two shapes
    theirs_b = compiled(DjangoInsertCompiler, objs(RawSQL("%s || 'x'", ["b"])), fields=fields)
    theirs_c = compiled(DjangoInsertCompiler, objs(RawSQL("upper(%s)", ["c"])), fields=fields)
    # created_at (auto_now_add, the last value) differs between two compilations; compare the rest.
    for ours, theirs in ((ours_b, theirs_b), (ours_c, theirs_c)):
        assert ours[0][0] == theirs[0][0]
        assert ours[0][1][:-1] == theirs[0][1][:-1]
    assert ours_a[0][1][1] == "a" and ours_b[0][1][1] == "b"
    # Django's refusals still apply to an expression among the values.
    with pytest.raises(ValueError, match="F\\(\\) expressions can only be used to update"):
        compiled(pg_compiler.SQLInsertCompiler, objs(F("scope")), fields=fields)
    assert compiled(pg_compiler.SQLInsertCompiler, objs(Value("v")), fields=fields)[0][1][1] == "v"


@pytest.mark.django_db
def test_rows_read_back_the_same_through_a_cached_statement(everywhere):
    for start in (0, 10, 20):  # a miss, then two hits of each shape
        (one,) = keys(1, start)
        one.save()
        IdempotencyKey.objects.bulk_create(keys(3, start + 1, response=[1, "二", None]))
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(date=date(2031, 1, 1 + start + i), kind="holiday", name=f"假日 {start + i}")
                for i in range(2)
            ]
        )
        assert one.pk is not None and one.created_at is not None
    assert len(pg_compiler._STATEMENTS) == 3
    rows = {k.scope: k for k in IdempotencyKey.objects.all()}
    assert len(rows) == 12
    assert rows["user:20"].response == {"id": 20, "note": "诉求"} and rows["user:20"].status_code == 200
    assert rows["user:23"].response == [1, "二", None] and rows["user:23"].status_code == 202
    assert sorted(CalendarDay.objects.filter(date__year=2031).values_list("name", flat=True)) == sorted(
        f"假日 {n}" for n in (0, 1, 10, 11, 20, 21)
    )
    bulk = IdempotencyKey.objects.bulk_create(keys(2, 40))
    assert all(k.pk for k in bulk)  # the ids come back through the cached statement too


@pytest.mark.django_db
def test_pre_save_runs_once_per_value_on_a_miss_and_on_a_hit(monkeypatch, everywhere):
    calls: list[str] = []
    real = DateTimeField.pre_save

    def counted(self, obj, add):
        calls.append(self.name)
        return real(self, obj, add)

    monkeypatch.setattr(DateTimeField, "pre_save", counted)
    IdempotencyKey.objects.bulk_create(keys(2))  # a miss: Django compiles the statement from these values
    assert calls == ["created_at", "created_at"]
    IdempotencyKey.objects.bulk_create(keys(2, 5))  # a hit
    assert calls == ["created_at"] * 4
    stamp = IdempotencyKey.objects.get(scope="user:5").created_at
    assert stamp.tzinfo is not None and stamp > datetime(2026, 1, 1, tzinfo=SH)


@pytest.mark.django_db
def test_the_cache_is_bounded(monkeypatch, everywhere):
    monkeypatch.setattr(pg_compiler, "MAX_SHAPES", 3)
    for n in range(1, 8):  # seven row counts: seven shapes
        IdempotencyKey.objects.bulk_create(keys(n, 100 * n))
        assert len(pg_compiler._STATEMENTS) <= 3
    assert IdempotencyKey.objects.count() == sum(range(1, 8))


# --- the per-field converters: what Django's get_db_prep_save returns, by a shorter way ------------------------

SAMPLES: list[Any] = [
    None,
    "",
    "诉求 text",
    0,
    7,
    -3,
    2**40,
    True,
    False,
    1.5,
    date(2026, 11, 29),
    datetime(2026, 11, 29, 8, 30, tzinfo=SH),
]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def test_every_fields_converter_returns_what_django_returns_for_every_sample():
    """Over every concrete field of every installed model that has a short way: for each sample value the converter
    gives a value equal to and of the same type as Django's, or raises the same error. (The rows the other tests
    here insert and read back went through the converters too.)"""
    from django.apps import apps

    compared = fast = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            convert = pg_compiler._converter(field, connection)
            if convert.__name__ == "django":
                continue  # Django's own method (an encrypted field's, say): nothing to compare
            fast += 1
            for value in SAMPLES:
                try:
                    expected: Any = field.get_db_prep_save(value, connection=connection)
                except Exception as error:
                    expected = type(error)
                try:
                    got: Any = convert(value, connection)
                except Exception as error:
                    got = type(error)
                assert _same(got, expected) or got is expected, (field, value, got, expected)
                compared += 1
    assert fast > 100 and compared > 1000  # the short ways are in use, on most of the project's fields
