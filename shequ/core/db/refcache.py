"""A process-local cache of reference rows that hot paths look up by key on every request (the category and the
area of every intake): they change seldom and are read all the time (bench/RESULTS.md §1a and §1′: the two lookups were a
fifth of intake's time).

- Only rows that exist are kept; a miss always asks the database, so a row created anywhere is seen at once.
- An entry lives `ttl` seconds, so a change made by another process (another gunicorn worker, a Celery worker,
  `load_city_pack`, a queryset `update()` that sends no signal) is seen here within that time.
- A save or delete of a watched model in this process clears the cache at once, and again when that transaction
  commits (`post_save`, `post_delete`, `m2m_changed`), so a request that read between the two does not keep the
  uncommitted state.
- Callers get a (shallow) copy of the cached value, so setting an attribute on it never leaks into another
  request.
- A cache may be given `preload`, the rows of a small table (or of its upper part) as (key, row) pairs: the first
  miss after they expire reads them all in one query, so that a process serving many different keys (the 783
  communities of intake) does not ask once per key. A key still missing after the preload is loaded on its own.

Use it only for rows whose short staleness is harmless (names, deadlines, paths), never for permissions.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

V = TypeVar("V")

_ALL: list[RefCache] = []


class RefCache(Generic[V]):
    def __init__(
        self,
        *watched: type[models.Model],
        ttl: float = 30.0,
        size: int = 10_000,
        preload: Callable[[], Iterable[tuple[tuple, V]]] | None = None,
    ) -> None:
        self.ttl, self.size = ttl, size
        self._rows: dict[tuple, tuple[float, V]] = {}
        self._lock = threading.Lock()
        self._preload = preload
        self._preloaded_until = 0.0
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
            return shallow_copy(hit[1])
        if self._preload is not None and self._preloaded_until <= now:
            self._fill(self._preload(), now, preloaded=True)
            with self._lock:
                hit = self._rows.get(key)
            if hit is not None:
                return shallow_copy(hit[1])
        row = load()
        if row is not None:
            self._fill([(key, row)], now)
            return shallow_copy(row)
        return None

    def _fill(self, rows: Iterable[tuple[tuple, V]], now: float, *, preloaded: bool = False) -> None:
        fresh = {key: (now + self.ttl, row) for key, row in rows}
        with self._lock:
            if len(self._rows) + len(fresh) > self.size:
                self._rows.clear()  # reference tables are small; a full cache is a sign of junk keys
            self._rows.update(fresh)
            if preloaded:
                self._preloaded_until = now + self.ttl

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._preloaded_until = 0.0

    def _changed(self, **_kwargs: object) -> None:
        self.clear()
        transaction.on_commit(self.clear)


def shallow_copy(value: V) -> V:
    """A shallow copy. A model instance is copied as copy.copy copies it (Model.__getstate__: its attributes, its
    own `_state` and cache of related objects; a prefetch cache stays shared), without the pickling protocol's
    detour (`__reduce__`, a lookup in the app registry, the version check of `__setstate__`), which made the copy
    the larger part of a cache hit."""
    if isinstance(value, models.Model):
        new = object.__new__(type(value))
        state = value.__dict__.copy()
        state["_state"] = model_state = copy.copy(value._state)
        model_state.fields_cache = value._state.fields_cache.copy()
        new.__dict__ = state
        return new  # type: ignore[return-value]
    return copy.copy(value)


def clear_all() -> None:
    """Forget every cached row (tests, after a database flush or rollback)."""
    for cache in _ALL:
        cache.clear()
