"""A process-local cache of reference rows that hot paths look up by key on every request (the category and the
area of every intake): they change seldom and are read all the time (bench/RESULTS.md §1: the two lookups were a
fifth of intake's time).

- Only rows that exist are kept; a miss always asks the database, so a row created anywhere is seen at once.
- An entry lives `ttl` seconds, so a change made by another process (another gunicorn worker, a Celery worker,
  `load_city_pack`, a queryset `update()` that sends no signal) is seen here within that time.
- A save or delete of a watched model in this process clears the cache at once, and again when that transaction
  commits (`post_save`, `post_delete`, `m2m_changed`), so a request that read between the two does not keep the
  uncommitted state.
- Callers get a (shallow) copy of the cached value, so setting an attribute on it never leaks into another
  request.

Use it only for rows whose short staleness is harmless (names, deadlines, paths), never for permissions.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

V = TypeVar("V")

_ALL: list[RefCache] = []


class RefCache(Generic[V]):
    def __init__(self, *watched: type[models.Model], ttl: float = 30.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._rows: dict[tuple, tuple[float, V]] = {}
        self._lock = threading.Lock()
        for model in watched:
            signal = m2m_changed if model._meta.auto_created else None  # an m2m through table
            if signal is not None:
                signal.connect(self._changed, sender=model, weak=False)
            else:
                post_save.connect(self._changed, sender=model, weak=False)
                post_delete.connect(self._changed, sender=model, weak=False)
        _ALL.append(self)

    def get(self, key: tuple, load: Callable[[], V | None]) -> V | None:
        """The row of `key` (a copy), from the cache while it is fresh, else from `load()`."""
        now = time.monotonic()
        with self._lock:
            hit = self._rows.get(key)
        if hit is not None and hit[0] > now:
            return copy.copy(hit[1])
        row = load()
        if row is not None:
            with self._lock:
                if len(self._rows) >= self.size:
                    self._rows.clear()  # reference tables are small; a full cache is a sign of junk keys
                self._rows[key] = (now + self.ttl, row)
            return copy.copy(row)
        return None

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()

    def _changed(self, **_kwargs: object) -> None:
        self.clear()
        transaction.on_commit(self.clear)


def clear_all() -> None:
    """Forget every cached row (tests, after a database flush or rollback)."""
    for cache in _ALL:
        cache.clear()
