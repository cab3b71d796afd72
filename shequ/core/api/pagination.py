"""Paging for every list of /api/v1, and a lazy, sliceable view that maps each page's rows through a function.

`Page` is the project's pagination class (settings.NINJA_PAGINATION_CLASS, so a bare `@paginate` uses it):
`limit` 1…100, default 20; `offset` 0…MAX_OFFSET. Both bounds are declared in the OpenAPI document, and a value
outside them is a 400 in the error shape, never clamped silently: a client asking for 1000 rows learns at once
that it gets at most 100, instead of believing a short page was the end of the list.
"""

from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Far past any list the platform holds, and well inside every database's 64-bit OFFSET (an offset past int64 was a
# 503 on PostgreSQL and a 500 on SQLite).
MAX_OFFSET = 1_000_000_000


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, at most {MAX_LIMIT}"
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


class CappedPage(Page):
    """Page for a list whose count stops at a cap (appeals.selectors.AppealListing): `count` is the number of rows
    up to the cap, and `count_capped` is true when there are more than that (the count stopped; narrow the
    filters to count them). Counting a whole city's history on every page cost more than the page itself."""

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool = Field(False, description="True when there are more rows than `count` says")

    def paginate_queryset(self, queryset, pagination, request, **params):
        out = super().paginate_queryset(queryset, pagination, request, **params)
        source = getattr(queryset, "qs", queryset)  # a MappedQuerySet's own list
        out["count_capped"] = bool(getattr(source, "capped", False))
        return out


class Rows(Protocol):
    """What a list hands its paginator: rows it can slice and count (a QuerySet, or a list with a capped count)."""

    def count(self) -> int: ...
    def __getitem__(self, item: slice) -> Any: ...


class MappedQuerySet:
    """django-ninja's @paginate slices it and counts it, so only one page of rows is ever converted."""

    def __init__(self, qs: QuerySet | Rows, mapper: Callable[[Any], dict]) -> None:
        self.qs, self.mapper = qs, mapper

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [self.mapper(row) for row in self.qs[item]]
