"""Pieces of SQL taken from a queryset, for a hand-written statement that Django cannot express (GROUPING SETS)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet


def where_of(queryset: QuerySet) -> tuple[str, list[Any]]:
    """The queryset's WHERE clause as SQL with `%s` parameters, compiled as Django compiles it for its own query
    (a filter by scope, a period), for the caller to put into a statement over the same table."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.compile(queryset.query.where)
    return sql, list(params)
