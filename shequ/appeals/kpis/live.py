"""The live writes: every appeal action adds its counts to the rollup rows inside its own transaction.

`record` reads the state before the event from the appeal row the action has just changed (`before`), asks the
counting rules (`rules.deltas`) what that changes, and adds it to the day's and the month's rows, with the unit
and without it: one `INSERT … ON CONFLICT DO UPDATE` per level (docs/kpis.md, "Writing: the upsert"), or, inside
`deferred()`, all of a block's increments in one statement per table when it ends.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db.models import BigIntegerField, F
from django.db.models.functions import Greatest

from shequ.accounts.models import Unit
from shequ.core.db import write_together

from ..models import Appeal, KpiAreaDaily, KpiAreaMonthly, KpiDaily, KpiMonthly
from . import rebuild, rules
from .rules import COUNTERS, ROLLUPS, Before, Delta, Happened, Rollup, RowKey

log = logging.getLogger(__name__)


def record(appeal: Appeal, action: str, *, at: datetime, data: dict) -> None:
    """Add one action's counts to its rollup rows. Called inside the transaction of every appeal action, after
    the action's event is written and with the appeal as the action leaves it."""
    for key, counts in changes(appeal, action, at=at, data=data):
        _add(key, counts)


def changes(appeal: Appeal, action: str, *, at: datetime, data: Mapping[str, Any]) -> list[Delta]:
    """The rules' deltas of an action just taken."""
    if action not in rules.COUNTED:
        return []
    if action == "decide_rating_dispute":
        # Rare: the row the rating was counted in (its day and unit) is not on the appeal row. Replay this
        # appeal's timeline (the event was written just before) and take this decision's deltas.
        if not data.get("upheld"):
            return []
        return rebuild.last_decision(appeal)
    event = Happened(action, at, data, _unit_named(appeal, action, data))
    return rules.deltas(appeal, before(appeal, event), event)


def _unit_named(appeal: Appeal, action: str, data: Mapping[str, Any]) -> int | None:
    if action in ("dispatch", "reassign"):
        return appeal.lead_unit_id  # the unit the data names, already the appeal's: no lookup
    if action == "return":
        code = data.get("unit")  # the appeal has no lead unit any more
        return Unit.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
    return None


def before(appeal: Appeal, event: Happened) -> Before:
    """The appeal's state before `event`, read from the row the event has just changed. No action the rules read
    this for changes it, except where said: a dispatch or reassignment changes the lead unit (the rules count it
    for the unit the event names), a return clears it (likewise), a reply sets `contacted_at`."""
    contacted = True
    if event.action == "reply" and appeal.contacted_at == event.at:
        # This reply set contacted_at, so nobody had got back to the requester before, unless an earlier contact
        # or reply fell in the same instant: check the timeline (this reply's own event is already written).
        contacted = appeal.events.filter(action__in=("contact", "reply")).count() != 1
    return Before(
        lead_unit_id=appeal.lead_unit_id,
        returns=appeal.return_count,  # only a return changes it
        contacted=contacted,
        contact_due=appeal.contact_due,
    )


# --- the writes ---------------------------------------------------------------------------------------------------
def _increments(counts: Mapping[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, n in counts.items():
        if n >= 0:
            out[name] = F(name) + n
        else:  # a voided rating; never below zero, even on rows written before the rollups existed
            out[name] = Greatest(F(name) + n, 0, output_field=BigIntegerField())
    return out


# Open deferrals (see `deferred`): the increments of the block, written when it ends.
_deferred_var: contextvars.ContextVar[list[tuple[RowKey, Counter[str]]] | None] = contextvars.ContextVar(
    "shequ_kpi_deferred", default=None
)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Write the block's rollup increments together when it ends: one statement for all of them (per table on
    SQLite) instead of one per action. Each `record` still reads the appeal as it is at that moment, so a block
    may record several steps of one appeal before the appeal row is even saved (intake: submit, then dispatch).

    Use it inside the transaction that commits the actions. On an exception nothing is written: the
    transaction rolls back anyway. A deferral inside a deferral joins the outer one. Negative counts (a voided
    rating) are never deferred.
    """
    if _deferred_var.get() is not None:
        yield
        return
    pending: list[tuple[RowKey, Counter[str]]] = []
    token = _deferred_var.set(pending)
    try:
        yield
    finally:
        _deferred_var.reset(token)
    if pending:
        _write(pending)


def _add(key: RowKey, counts: Mapping[str, int]) -> None:
    """Add to the day's row and to its month's row (KpiDaily, KpiMonthly), creating them when missing."""
    counts = Counter({k: n for k, n in counts.items() if n})
    if not counts:
        return
    if any(n < 0 for n in counts.values()):
        # unit and category may be None: the lookup turns that into IS NULL, the same row the unique index means.
        lookup: dict[str, Any] = {
            "unit_id": key.unit_id,
            "area_id": key.area_id,
            "category_id": key.category_id,
        }
        _subtract(KpiDaily, {"day": key.day, **lookup}, key, counts)
        _subtract(KpiMonthly, {"month": key.day.replace(day=1), **lookup}, key, counts)
        del lookup["unit_id"]
        _subtract(KpiAreaDaily, {"day": key.day, **lookup}, key, counts)
        _subtract(KpiAreaMonthly, {"month": key.day.replace(day=1), **lookup}, key, counts)
        return
    pending = _deferred_var.get()
    if pending is not None:
        pending.append((key, counts))
        return
    _write([(key, counts)])


def _write(increments: Sequence[tuple[RowKey, Mapping[str, int]]]) -> None:
    """Upsert the increments (none negative) into the rows of every level (ROLLUPS): on PostgreSQL in one
    statement (`db.batch.write_together`), or as part of the open batch of writes (intake's)."""
    levels: dict[Rollup, dict[RowKey, Counter[str]]] = {model: {} for model in ROLLUPS}
    for key, counts in increments:
        # One row per key in each statement: ON CONFLICT DO UPDATE may not touch a row twice. Without the unit,
        # two steps of one intake (received with no unit, dispatched to one) are one row.
        month, no_unit = rules.month_key(key), key._replace(unit_id=None)
        levels[KpiDaily].setdefault(key, Counter()).update(counts)
        levels[KpiMonthly].setdefault(month, Counter()).update(counts)
        levels[KpiAreaDaily].setdefault(no_unit, Counter()).update(counts)
        levels[KpiAreaMonthly].setdefault(month._replace(unit_id=None), Counter()).update(counts)
    # Each statement touches one table, one row per key: independent, as a batch requires.
    write_together([_upsert_sql(model, rows) for model, rows in levels.items()])


def _subtract(model: Rollup, lookup: dict[str, Any], key: RowKey, counts: Mapping[str, int]) -> None:
    """A negative count (a voided rating) only ever updates a row that exists, and never below zero."""
    if not model.objects.filter(**lookup).update(**_increments(counts)):
        log.warning("kpi: nothing to subtract from for %s (rollups older than the event?)", key)


def _upsert_sql(model: Rollup, rows: Mapping[RowKey, Mapping[str, int]]) -> tuple[str, list[Any]]:
    """Add to each key's row if it exists, else create it: one INSERT … ON CONFLICT DO UPDATE on the key's unique
    index (PostgreSQL and SQLite alike), so that two transactions adding to a new row never both insert. The key's
    day is the row's period start (the first of the month for a monthly level); a level without the unit ignores
    the key's."""
    _period, with_unit = ROLLUPS[model]
    nonzero = {name for counts in rows.values() for name, n in counts.items() if n}
    used = tuple(name for name in COUNTERS if name in nonzero)
    values: list[Any] = []
    for key, counts in rows.items():
        values += [
            key.day,
            *([key.unit_id] if with_unit else []),
            key.area_id,
            key.category_id,
            key.area_path,
        ]
        values += [counts.get(name, 0) for name in used]
    return _upsert_text(model, used, len(rows)), values


@functools.lru_cache(maxsize=1024)
def _upsert_text(model: Rollup, used: tuple[str, ...], rows: int) -> str:
    """The statement of `_upsert_sql` for `rows` keys moving the counters `used`: the same few texts on every
    intake, so they are built once."""
    period, with_unit = ROLLUPS[model]
    table = model._meta.db_table
    columns = [period, *(["unit_id"] if with_unit else []), "area_id", "category_id", "area_path", *COUNTERS]
    added = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in used)
    # The conflict target is the unique index's own expressions (models: appeals_kpi*_one_row_per_key). Table
    # and column names come from the model and COUNTERS; every value is a parameter, but a counter no row moves is
    # the literal 0: an intake's statement then has a few dozen parameters instead of a hundred and fits the
    # driver's cache of parsed statements (psycopg keeps those under 50 parameters and 4 kB).
    unit = "COALESCE(unit_id, 0), " if with_unit else ""
    target = f"{period}, {unit}area_id, COALESCE(category_id, 0)"
    keys = len(columns) - len(COUNTERS)
    row = "(" + ", ".join(["%s"] * keys + [("%s" if name in used else "0") for name in COUNTERS]) + ")"
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)}"  # noqa: S608
        f" ON CONFLICT ({target}) DO UPDATE SET {added}"
    )
