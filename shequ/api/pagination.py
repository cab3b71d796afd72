"""A lazy, sliceable view over a queryset that maps each page's rows through a function (e.g. masking).

django-ninja's @paginate slices it and counts it, so only one page of rows is ever converted.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet


class MappedQuerySet:
    def __init__(self, qs: QuerySet, mapper: Callable[[Any], dict]) -> None:
        self.qs, self.mapper = qs, mapper

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return [self.mapper(row) for row in self.qs[item]]
