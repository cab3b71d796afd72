"""Appeal KPIs (三率 and the rest), kept in the daily rollup `KpiDaily` as events happen (DESIGN.md §5).

The formulas and the action → counter table are written down in docs/kpis.md; this module is their only
implementation:

    record        called by the services inside the transaction of every action: adds to the rollup rows of
                  its key (the day's and the month's, with the unit and without it)
    kpi_query     the scoped read behind GET /api/v1/appeals/kpis and the leaders' dashboard: sums rollup rows
    kpis_rebuild  the offline repair path (manage.py rebuild_appeal_kpis): replays the event timeline

Both writers go through the same `_counts`, fed either by the live appeal row (`record`) or by a replay of the
timeline (`_Timeline`), so that a rebuild yields the rows the live updates wrote.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BigIntegerField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Greatest, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.access.scoping import scope_for
from shequ.accounts.models import Unit
from shequ.accounts.roles import Action
from shequ.core.dbbatch import write_together
from shequ.core.dbplans import planned_for_parameters
from shequ.core.errors import NotFound, ShequError
from shequ.geo.choices import LEVEL_DEPTH, AreaLevel
from shequ.geo.models import Area

from .choices import CONTACT_HOURS, EMERGENCY_DISPATCH_MINUTES, SATISFIED_RATINGS, Urgency
from .models import (
    Appeal,
    Category,
    Event,
    KpiAreaDaily,
    KpiAreaMonthly,
    KpiDaily,
    KpiMonthly,
)

log = logging.getLogger(__name__)

COUNTERS = (
    "received",
    "dispatched",
    "responded",
    "responded_on_time",
    "replied",
    "replied_on_time",
    "handling_seconds",
    "rated",
    "satisfied",
    "resolved",
    "reopened",
    "returned",
    "closed",
    "overdue",
    "rejected",
    "emergency_received",
    "emergency_dispatched_in_20min",
)
# Actions that move a counter; every other action (supervise, extensions, merge, sign_for...) is on the
# timeline only and costs `record` nothing.
COUNTED = frozenset(
    {
        "submit",
        "dispatch",
        "reassign",
        "contact",
        "reply",
        "evaluate",
        "decide_rating_dispute",
        "reopen",
        "return",
        "close",
        "reject",
        "overdue",
    }
)
COMMUNITY_DEPTH = LEVEL_DEPTH[AreaLevel.COMMUNITY]
# The rollup levels: (period column, whether the unit is in the key). The unit levels answer the unit ranking,
# the area levels (without the unit: far fewer rows) every other grouping (docs/kpis.md).
Rollup = type[KpiDaily] | type[KpiMonthly] | type[KpiAreaDaily] | type[KpiAreaMonthly]
ROLLUPS: dict[Rollup, tuple[str, bool]] = {
    KpiDaily: ("day", True),
    KpiMonthly: ("month", True),
    KpiAreaDaily: ("day", False),
    KpiAreaMonthly: ("month", False),
}


# --- where a count goes -----------------------------------------------------------------------------------------
class RowKey(NamedTuple):
    day: date
    unit_id: int | None
    area_id: int
    area_path: str  # follows from area_id; carried along so a new row can be written without a lookup
    category_id: int | None


@dataclass(frozen=True)
class Place:
    """Where an appeal's counts go, whatever the event: its community (or coarser area) and top category."""

    area_id: int
    area_path: str
    category_id: int | None


def _place(appeal: Appeal, communities: dict[str, tuple[int, str]] | None = None) -> Place:
    area = appeal.area
    area_id, path = area.pk, area.path
    if area.depth > COMMUNITY_DEPTH:
        # Grids, estates and buildings roll up to their community: rankings stop at community level.
        code = [c for c in area.path.split("/") if c][COMMUNITY_DEPTH]
        if communities is None or code not in communities:
            found = Area.objects.filter(code=code).values_list("pk", "path").get()
            if communities is not None:
                communities[code] = found
        else:
            found = communities[code]
        area_id, path = found
    category = appeal.category
    top = None if category is None else (category.parent_id or category.pk)
    return Place(area_id=area_id, area_path=path, category_id=top)


def local_day(at: datetime) -> date:
    return timezone.localtime(at).date()  # settings.TIME_ZONE is Asia/Shanghai


def _key(place: Place, at: datetime, unit_id: int | None) -> RowKey:
    return RowKey(local_day(at), unit_id, place.area_id, place.area_path, place.category_id)


def _month_key(key: RowKey) -> RowKey:
    return key._replace(day=key.day.replace(day=1))


# --- what an event counts -----------------------------------------------------------------------------------------
@dataclass
class Facts:
    """What `_counts` needs beyond the event's own data: read from the appeal row live, or from a replay."""

    unit_id: int | None  # the lead unit the event is counted for
    first_dispatch: bool = False  # the appeal's first dispatch (before any return)
    reply_is_first_contact: bool = False  # the reply is the first time anyone got back to the requester
    contact_on_time: bool = False  # ...and it came before contact_due


def _counts(appeal: Appeal, action: str, at: datetime, data: Mapping[str, Any], facts: Facts) -> Counter[str]:
    """The counter increments of one event: the table of docs/kpis.md, in code."""
    c: Counter[str] = Counter()
    emergency = appeal.urgency == Urgency.EMERGENCY
    if action == "submit":
        c["received"] = 1
        c["emergency_received"] = int(emergency)
    elif action in ("dispatch", "reassign"):
        # Every hand-over to a lead unit is one work order for that unit; a reopen is not a new dispatch.
        c["dispatched"] = 1
        if facts.first_dispatch and emergency:
            c["emergency_dispatched_in_20min"] = int(
                at - appeal.created_at <= timedelta(minutes=EMERGENCY_DISPATCH_MINUTES)
            )
    elif action == "contact":
        if data.get("first"):
            c["responded"] = 1
            c["responded_on_time"] = int(bool(data.get("on_time")))
    elif action == "reply":
        c["replied"] = 1
        c["replied_on_time"] = int(bool(data.get("on_time")))
        c["handling_seconds"] = max(0, int(data.get("handling_seconds") or 0))
        if facts.reply_is_first_contact:
            c["responded"] = 1
            c["responded_on_time"] = int(facts.contact_on_time)
    elif action == "evaluate":
        # "Not fixed" must not count as fixed: resolved comes only from the rating's own answer.
        c["rated"] = 1
        c["satisfied"] = int(data.get("rating") in SATISFIED_RATINGS)
        c["resolved"] = int(bool(data.get("resolved")))
    elif action == "reopen":
        c["reopened"] = 1
    elif action == "return":
        c["returned"] = 1
    elif action == "close":
        c["closed"] = 1
    elif action == "reject":
        c["rejected"] = 1
    elif action == "overdue":
        c["overdue"] = 1
    return +c  # drop the zeros


def _negated(counts: Mapping[str, int]) -> Counter[str]:
    out: Counter[str] = Counter()
    for name, n in counts.items():
        out[name] = -n
    return out


# --- the replay ---------------------------------------------------------------------------------------------------
def _event_action(event: Event) -> str:
    # The deadline scan writes "escalate" for both late replies and late emergency dispatch, and calls
    # record(..., "overdue") only for the first; that one carries the reply deadline it missed.
    if event.action == "escalate":
        return "overdue" if "reply_due" in (event.data or {}) else "escalate"
    return event.action


@dataclass
class _Timeline:
    """One appeal's timeline replayed in order, knowing at each event what `record` read from the appeal row.

    It mirrors the services' bookkeeping that the events do not spell out: the lead unit (dispatch/reassign set
    it, return clears it), contact_due (set by a dispatch that does not keep the deadline and by a reopen), whether
    the requester was contacted (the first contact or reply), and the last counted rating (for voiding it).
    """

    appeal: Appeal
    place: Place
    unit_ids: Mapping[str, int]
    lead: int | None = None
    handed_over: bool = False
    returns: int = 0
    contacted: bool = False
    contact_due: datetime | None = None
    last_rating: tuple[RowKey, Counter[str]] | None = None
    _category_hours: int = field(init=False, default=CONTACT_HOURS)

    def __post_init__(self) -> None:
        if self.appeal.category is not None:
            self._category_hours = self.appeal.category.contact_hours

    def step(self, event: Event) -> list[tuple[RowKey, Counter[str]]]:
        action, at, data = _event_action(event), event.at, event.data or {}
        if action not in COUNTED:
            return []
        facts = Facts(unit_id=self.lead)
        if action in ("dispatch", "reassign"):
            self.lead = self.unit_ids.get(data.get("unit") or "")
            # services._dispatch keeps the deadlines for a reassignment of a dispatched appeal and for the
            # default (兜底) unit after returns; otherwise it starts them again.
            keep = bool(data.get("default_unit")) or (action == "reassign" and self.handed_over)
            if not keep:
                self.contact_due = at + timedelta(hours=self._category_hours)
            facts = Facts(unit_id=self.lead, first_dispatch=action == "dispatch" and self.returns == 0)
            self.handed_over = True
        elif action == "return":
            facts = Facts(unit_id=self.unit_ids.get(data.get("unit") or ""))
            self.lead, self.returns = None, self.returns + 1
        elif action == "contact":
            self.contacted = self.contacted or bool(data.get("first"))
        elif action == "reply":
            if not self.contacted:
                facts.reply_is_first_contact = True
                facts.contact_on_time = self.contact_due is not None and at <= self.contact_due
            self.contacted = True
        elif action == "reopen":
            self.contact_due = at + timedelta(hours=self._category_hours)  # as services._reopen
        elif action == "decide_rating_dispute":
            return self._void(data)
        counts = _counts(self.appeal, action, at, data, facts)
        key = _key(self.place, at, facts.unit_id)
        if action == "evaluate":
            self.last_rating = (key, counts)
        return [(key, counts)] if counts else []

    def _void(self, data: Mapping[str, Any]) -> list[tuple[RowKey, Counter[str]]]:
        """An upheld rating dispute takes the rating out of the row it was counted in (its day, its unit)."""
        if not data.get("upheld") or data.get("voided_rating") is None or self.last_rating is None:
            return []
        key, counts = self.last_rating
        self.last_rating = None
        return [(key, _negated(counts))]


def _unit_ids(events: Iterable[Event]) -> dict[str, int]:
    codes = {e.data.get("unit") for e in events if e.action in ("dispatch", "reassign", "return") and e.data}
    codes.discard(None)
    return dict(Unit.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}


# --- live updates -------------------------------------------------------------------------------------------------
def record(appeal: Appeal, action: str, *, at: datetime, data: dict) -> None:
    """Add one action's counts to its rollup row. Called inside the transaction of every appeal action."""
    if action not in COUNTED:
        return
    if action == "decide_rating_dispute":
        # Rare: replay this appeal's timeline (the event was written just before) to find the counted rating.
        if not data.get("upheld"):
            return
        events = list(appeal.events.order_by("at", "id"))
        timeline = _Timeline(appeal, _place(appeal), _unit_ids(events))
        changes: list[tuple[RowKey, Counter[str]]] = []
        for event in events:
            out = timeline.step(event)
            if event.action == "decide_rating_dispute":
                changes = out  # the last decision is this one
        for key, counts in changes:
            _add(key, counts)
        return
    facts = Facts(unit_id=appeal.lead_unit_id)
    if action == "dispatch":
        facts.first_dispatch = appeal.return_count == 0  # only a return brings an appeal back to dispatch
    elif action == "return":
        code = data.get("unit")
        facts.unit_id = Unit.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
    elif action == "reply" and appeal.contacted_at == at:
        # This reply set contacted_at, so nobody had got back to the requester before, unless an earlier contact
        # or reply fell in the same instant: check the timeline (this reply's own event is already written).
        facts.reply_is_first_contact = appeal.events.filter(action__in=("contact", "reply")).count() == 1
        facts.contact_on_time = appeal.contact_due is not None and at <= appeal.contact_due
    counts = _counts(appeal, action, at, data, facts)
    if counts:
        _add(_key(_place(appeal), at, facts.unit_id), counts)


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
    statement (`dbbatch.write_together`), or as part of the open batch of writes (intake's)."""
    levels: dict[Rollup, dict[RowKey, Counter[str]]] = {model: {} for model in ROLLUPS}
    for key, counts in increments:
        # One row per key in each statement: ON CONFLICT DO UPDATE may not touch a row twice. Without the unit,
        # two steps of one intake (received with no unit, dispatched to one) are one row.
        month, no_unit = _month_key(key), key._replace(unit_id=None)
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


# --- the offline rebuild ------------------------------------------------------------------------------------------
def kpis_rebuild(*, since: date | None = None) -> int:
    """Recompute the rollups from the event timeline, for days from `since` (all days without it).

    The repair path, never run on a request. One transaction: readers see the old rows until the new ones are
    in. On PostgreSQL the tables are locked against writes first, so an action committing meanwhile waits and then
    adds to the rebuilt rows instead of being counted twice or lost. Appeals with events on or after `since` are
    replayed from their first event (the replay needs the earlier state); only rows from `since` are written.
    """
    start = timezone.make_aware(datetime.combine(since, datetime.min.time())) if since else None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in ROLLUPS:
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        old = KpiDaily.objects.all() if since is None else KpiDaily.objects.filter(day__gte=since)
        old.delete()
        appeals = Appeal.objects.select_related("area", "category").order_by("pk")
        if start is not None:
            appeals = appeals.filter(Exists(Event.objects.filter(appeal=OuterRef("pk"), at__gte=start)))
        appeals = appeals.prefetch_related(Prefetch("events", queryset=Event.objects.order_by("at", "id")))
        unit_ids = dict(Unit.objects.values_list("code", "pk"))
        communities: dict[str, tuple[int, str]] = {}
        totals: dict[RowKey, Counter[str]] = {}
        for appeal in appeals.iterator(chunk_size=500):
            timeline = _Timeline(appeal, _place(appeal, communities), unit_ids)
            for event in appeal.events.all():
                for key, counts in timeline.step(event):
                    if since is not None and key.day < since:
                        continue  # that row was not rebuilt: the live update already applied this
                    _accumulate(totals, key, counts)
        KpiDaily.objects.bulk_create(
            [
                KpiDaily(
                    day=key.day,
                    unit_id=key.unit_id,
                    area_id=key.area_id,
                    area_path=key.area_path,
                    category_id=key.category_id,
                    **{name: counts[name] for name in COUNTERS},
                )
                for key, counts in totals.items()
            ],
            batch_size=1000,
        )
        _resum(KpiMonthly, KpiDaily, since)
        _resum(KpiAreaDaily, KpiDaily, since)
        _resum(KpiAreaMonthly, KpiMonthly, since)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner: after millions of rows changed at once, autovacuum may take minutes to
        # notice, and until then the KPI reads are planned for the old table (bench/RESULTS.md, the KPI endpoint).
        with connection.cursor() as cursor:
            for model in ROLLUPS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return len(totals)


_MONTH_OF = {"postgresql": "CAST(date_trunc('month', {}) AS date)", "sqlite": "date({}, 'start of month')"}


def _resum(target: Rollup, source: Rollup, since: date | None) -> None:
    """`target`'s rows summed anew from `source`'s, for the periods from `since`'s (all without it): one
    INSERT … SELECT … GROUP BY in the database.

    A monthly target of a daily source sums the days of each month; a target without the unit sums over units. A
    monthly target rebuilt from the middle of a month re-sums that whole month, whose earlier days were left as
    they were.
    """
    period, with_unit = ROLLUPS[target]
    source_period = ROLLUPS[source][0]
    start = (since.replace(day=1) if period == "month" else since) if since else None
    target.objects.filter(**({f"{period}__gte": start} if start else {})).delete()
    keys = [*(["unit_id"] if with_unit else []), "area_id", "area_path", "category_id"]
    when = source_period if period == source_period else _MONTH_OF[connection.vendor].format(source_period)
    q = connection.ops.quote_name
    # Names come from the models and COUNTERS; the one value is a parameter.
    sql = (
        f"INSERT INTO {q(target._meta.db_table)} ({period}, {', '.join([*keys, *COUNTERS])}) "  # noqa: S608
        f"SELECT {when}, {', '.join(keys)}, {', '.join(f'SUM({n})' for n in COUNTERS)} "
        f"FROM {q(source._meta.db_table)} {f'WHERE {source_period} >= %s ' if start else ''}"
        f"GROUP BY {when}, {', '.join(keys)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [start] if start else [])


def _accumulate(totals: dict[RowKey, Counter[str]], key: RowKey, counts: Mapping[str, int]) -> None:
    """The in-memory twin of `_add`: a subtraction never creates a row nor goes below zero."""
    row = totals.get(key)
    if row is None:
        if any(n < 0 for n in counts.values()):
            return
        row = totals[key] = Counter()
    for name, n in counts.items():
        row[name] = max(0, row[name] + n)


# --- reading ----------------------------------------------------------------------------------------------------
GROUP_BY = ("none", "unit", "district", "street", "community", "category", "day", "month")
MAX_DAYS = 400
DEFAULT_MIN_VOLUME = 10
_AREA_LEVEL_DEPTH = {
    "district": LEVEL_DEPTH[AreaLevel.DISTRICT],
    "street": LEVEL_DEPTH[AreaLevel.STREET],
    "community": COMMUNITY_DEPTH,
}


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def rates(c: Mapping[str, int]) -> dict[str, float | None]:
    """The formulas of docs/kpis.md. None when the denominator is 0 (no basis, not 0 %)."""
    return {
        "response_rate": _ratio(c["responded_on_time"], c["dispatched"]),  # 响应率
        "resolution_rate": _ratio(c["resolved"], c["rated"]),  # 解决率
        "satisfaction_rate": _ratio(c["satisfied"], c["rated"]),  # 满意率
        "on_time_rate": _ratio(c["replied_on_time"], c["replied"]),  # 按时办结率
        "reopen_rate": _ratio(c["reopened"], c["replied"]),  # 重办率
        "return_rate": _ratio(c["returned"], c["dispatched"]),  # 退单率
        "mean_handling_hours": (
            round(c["handling_seconds"] / c["replied"] / 3600, 2) if c["replied"] else None
        ),
        "emergency_dispatch_rate": _ratio(c["emergency_dispatched_in_20min"], c["emergency_received"]),
    }


@dataclass
class KpiResult:
    date_from: date
    date_to: date
    group_by: str
    rows: list[dict[str, Any]]
    left_out: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "group_by": self.group_by,
            "rows": self.rows,
            "left_out": self.left_out,
        }


def kpi_query(
    *,
    user,
    area: str | None = None,
    group_by: str = "none",
    date_from: date | None = None,
    date_to: date | None = None,
    category: str | None = None,
    min_volume: int = DEFAULT_MIN_VOLUME,
) -> KpiResult:
    """KPIs over the rollups, inside the user's APPEALS_KPI scope; a constant number of queries.

    An area outside the scope answers exactly like an unknown one (404). With group_by=unit the rows are a
    ranking (满意率, then 解决率) of the units with at least `min_volume` work orders; `left_out` says how many
    units had fewer.
    """
    return kpi_report(
        user=user,
        area=area,
        group_bys=[group_by],
        date_from=date_from,
        date_to=date_to,
        category=category,
        min_volume=min_volume,
    )[group_by]


def kpi_report(
    *,
    user,
    group_bys: Sequence[str],
    area: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    category: str | None = None,
    min_volume: int = DEFAULT_MIN_VOLUME,
) -> dict[str, KpiResult]:
    """Several groupings of the same period and place at once (the leaders' dashboard), validated once. On
    PostgreSQL one GROUPING SETS statement per rollup table read; on SQLite one read per distinct grouping (the
    total comes from the categories' read when both are asked for). A constant number of queries whatever is
    asked."""
    scope = scope_for(user, Action.APPEALS_KPI)
    if scope.empty:
        raise PermissionDenied("You may not read appeal KPIs.")
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - timedelta(days=29)  # the last 30 days
    errors: dict[str, str] = {}
    if not group_bys or any(g not in GROUP_BY for g in group_bys):
        errors["group_by"] = f"One of {', '.join(GROUP_BY)}."
    if date_to < date_from:
        errors["to"] = "'to' must not be before 'from'."
    elif (date_to - date_from).days + 1 > MAX_DAYS:
        errors["to"] = f"A period is at most {MAX_DAYS} days."
    if min_volume < 0:
        errors["min_volume"] = "0 or more."
    if errors:
        raise ShequError("Some parameters are not valid.", code="invalid", fields=errors)

    paths = sorted(scope.paths)
    if area:
        path = Area.objects.filter(code=area).values_list("path", flat=True).first()
        if path is None or not scope.covers_path(path):
            # The same words for "unknown" and "not yours": the answer must not tell them apart.
            raise NotFound("No area has this code.", fields={"area": area})
        paths = [path]
    where = Q()
    in_scope = Q(pk__in=[])
    for p in paths:
        in_scope |= Q(area_path__prefix=p)
    where &= in_scope
    if category:
        cat = Category.objects.filter(code=category).values_list("pk", "parent__code").first()
        if cat is None:
            raise NotFound(f"Unknown category {category!r}.", fields={"category": category})
        if cat[1] is not None:
            raise ShequError(
                f"KPIs are kept by top-level category: use {cat[1]!r}.",
                code="invalid",
                fields={"category": category},
            )
        where &= Q(category_id=cat[0])

    # Each grouping is one SQL GROUP BY: folding a finer read in Python costs more than the database does
    # (bench/pages/RESULTS.md). On PostgreSQL the groupings that read the same rollup rows are one statement
    # (GROUPING SETS: the rows are read once, summed once per grouping). The total is the sum of the categories'
    # rows when those are asked for too.
    wanted = list(dict.fromkeys(group_bys))
    reads = {
        g: SQL_GROUPS.get(g, ["area_path"]) for g in wanted if not (g == "none" and "category" in wanted)
    }
    # The unit ranking reads the levels with the unit, every other grouping those without it (far fewer rows).
    # With no whole month inside the period every grouping reads daily rows; otherwise the days grouping does,
    # and the others read whole months and edge days.
    whole_months = _whole_months(date_from, date_to) is not None
    batches: dict[tuple[bool, bool], dict[str, list[str]]] = {}
    for g, fields in reads.items():
        batches.setdefault((not whole_months or g == "day", g != "unit"), {})[g] = fields
    raws: dict[str, list[dict]] = {}
    # Planned for this scope and period every time, never with a prepared statement's generic plan (core.dbplans).
    with planned_for_parameters():
        for (by_day, by_area), batch in batches.items():
            raws.update(_read_many(where, batch, date_from, date_to, by_day=by_day, by_area=by_area))
    results = {g: _fold(g, raws[g], date_from, date_to, min_volume) for g in reads}
    if "none" in wanted and "none" not in results:
        results["none"] = _fold("none", raws["category"], date_from, date_to, min_volume)
    return {g: results[g] for g in wanted}


# The rollup fields behind each grouping; district, street and community group by the community's path.
SQL_GROUPS: dict[str, list[str]] = {
    "none": [],
    "unit": ["unit"],
    "category": ["category"],
    "day": ["day"],
    "month": ["month"],
}


def _read_many(
    where: Q,
    groups: Mapping[str, list[str]],
    date_from: date,
    date_to: date,
    *,
    by_day: bool,
    by_area: bool,
) -> dict[str, list[dict]]:
    """The summed rollup rows of each grouping. Groupings with the same fields share one read; on PostgreSQL
    several groupings are one GROUPING SETS statement per rollup table."""
    distinct: dict[tuple[str, ...], list[str]] = {}
    for g, fields in groups.items():
        distinct.setdefault(tuple(fields), []).append(g)
    parts = _periods(date_from, date_to, by_day=by_day, by_area=by_area)
    if connection.vendor == "postgresql" and len(distinct) > 1:
        by_fields = _read_grouping_sets(where, list(distinct), parts)
    else:
        by_fields = {fields: _read(where, list(fields), parts) for fields in distinct}
    return {g: by_fields[fields] for fields, names in distinct.items() for g in names}


def _read(where: Q, sql_group: list[str], parts: list[QuerySet]) -> list[dict]:
    sums = {name: Sum(name) for name in COUNTERS}
    raw: list[dict[str, Any]] = []
    for part in parts:
        qs = part.filter(where).order_by()
        if sql_group:
            raw += qs.values(*sql_group).annotate(**sums)
        else:
            raw.append(qs.aggregate(**sums))
    return raw


# Column expressions of the grouping fields, per rollup table (a daily row's month is its day's month).
_DAILY_COLUMNS = {
    "unit": "unit_id",
    "category": "category_id",
    "day": "day",
    "area_path": "area_path",
    "month": "CAST(date_trunc('month', day) AS date)",
}
_MONTHLY_COLUMNS = {**_DAILY_COLUMNS, "month": "month"}


def _read_grouping_sets(
    where: Q, groupings: list[tuple[str, ...]], parts: list[QuerySet]
) -> dict[tuple[str, ...], list[dict]]:
    """PostgreSQL: every grouping in one statement per period part. GROUPING() tells which set a row belongs to;
    a NULL unit or category inside its own set is a real key (not dispatched, uncategorised)."""
    fields = sorted({f for grouping in groupings for f in grouping})
    bit = {f: 1 << (len(fields) - 1 - i) for i, f in enumerate(fields)}  # GROUPING(): leftmost is the top bit
    all_bits = (1 << len(fields)) - 1
    set_of_mask = {all_bits & ~sum(bit[f] for f in grouping): grouping for grouping in groupings}
    out: dict[tuple[str, ...], list[dict]] = {grouping: [] for grouping in groupings}
    for part in parts:
        qs = part.filter(where)
        table = connection.ops.quote_name(qs.model._meta.db_table)
        columns = _DAILY_COLUMNS if ROLLUPS[qs.model][0] == "day" else _MONTHLY_COLUMNS
        compiler = qs.query.get_compiler(connection=connection)
        where_sql, params = compiler.compile(qs.query.where)
        exprs = [columns[f] for f in fields]
        sets = ", ".join("(" + ", ".join(columns[f] for f in grouping) + ")" for grouping in groupings)
        # Columns and table come from the fixed maps above; every value is a parameter of the compiled WHERE.
        select = ", ".join([*exprs, f"GROUPING({', '.join(exprs)})", *(f"SUM({name})" for name in COUNTERS)])
        sql = f"SELECT {select} FROM {table} WHERE {where_sql} GROUP BY GROUPING SETS ({sets})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for row in cursor.fetchall():
                grouping = set_of_mask[row[len(fields)]]
                keys = dict(zip(fields, row[: len(fields)], strict=True))
                sums = dict(zip(COUNTERS, row[len(fields) + 1 :], strict=True))
                out[grouping].append({**{f: keys[f] for f in grouping}, **sums})
    return out


def _fold(group_by: str, raw: list[dict], date_from: date, date_to: date, min_volume: int) -> KpiResult:
    groups: dict[Any, Counter[str]] = {}
    for r in raw:
        key = _group_key(group_by, r)
        total = groups.setdefault(key, Counter())
        for name in COUNTERS:
            total[name] += int(r[name] or 0)
    if group_by == "none":
        groups.setdefault(None, Counter())  # the total is one row, zeros included
    names = _names(group_by, [k for k in groups if k is not None])

    left_out = 0
    if group_by == "unit":
        groups.pop(None, None)  # not dispatched yet: no unit to rank
        small = [k for k, c in groups.items() if c["dispatched"] < min_volume]
        left_out = len(small)
        for k in small:
            del groups[k]
    rows = []
    for key, c in groups.items():
        public_key, label = names.get(key) or (key, _none_label(group_by, key))
        rows.append(
            {
                "key": public_key,
                "label": label,
                **{name: c[name] for name in COUNTERS},
                "rates": rates(c),
            }
        )
    if group_by == "unit":
        rows.sort(key=_ranking)
    else:
        rows.sort(key=lambda row: (row["key"] is None, str(row["key"] or "")))
    return KpiResult(date_from, date_to, group_by, rows, left_out)


def _periods(date_from: date, date_to: date, *, by_day: bool, by_area: bool) -> list[QuerySet]:
    """Which rollup answers which part of the period: the whole calendar months inside it from the monthly level,
    the days before the first and after the last whole month from the daily level; the levels without the unit
    (KpiAreaDaily, KpiAreaMonthly) when `by_area`, else KpiDaily and KpiMonthly. A year is then about twelve
    monthly rows per key instead of 365 daily ones. Grouped by day, everything comes from the daily level. Daily
    rows carry their day's month as `month`, so that a month grouping reads both alike."""
    daily = (KpiAreaDaily if by_area else KpiDaily).objects.annotate(month=TruncMonth("day"))
    whole = Q(day__gte=date_from, day__lte=date_to)
    if by_day:
        return [daily.filter(whole)]
    months = _whole_months(date_from, date_to)
    if months is None:
        return [daily.filter(whole)]
    first, end = months
    monthly = KpiAreaMonthly if by_area else KpiMonthly
    parts: list[QuerySet] = [monthly.objects.filter(month__gte=first, month__lt=end)]
    if date_from < first or end <= date_to:
        parts.append(daily.filter(Q(day__gte=date_from, day__lt=first) | Q(day__gte=end, day__lte=date_to)))
    return parts


def _whole_months(date_from: date, date_to: date) -> tuple[date, date] | None:
    """The first day of the first whole calendar month inside the period and the day after the last one, or None
    when no whole month is inside."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    end = (
        _next_month(date_to)
        if _next_month(date_to) - timedelta(days=1) == date_to
        else date_to.replace(day=1)
    )
    return (first, end) if first < end else None


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


def _group_key(group_by: str, row: Mapping[str, Any]) -> Any:
    if group_by == "none":
        return None
    if group_by == "unit":
        return row["unit"]
    if group_by == "category":
        return row["category"]
    if group_by == "day":
        return row["day"].isoformat()
    if group_by == "month":
        return row["month"].strftime("%Y-%m")
    # district / street / community: the rollup keeps communities; their ancestors' codes are in the path.
    codes = [c for c in row["area_path"].split("/") if c]
    depth = _AREA_LEVEL_DEPTH[group_by]
    return codes[depth] if len(codes) > depth else None  # located only above this level


def _names(group_by: str, keys: list[Any]) -> dict[Any, tuple[str, str]]:
    """One query for the (public key, label) of whatever the rows are grouped by: units answer with their code."""
    if not keys:
        return {}
    if group_by == "unit":
        return {
            pk: (code, name)
            for pk, code, name in Unit.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        }
    if group_by == "category":
        return {
            pk: (code, name)
            for pk, code, name in Category.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        }
    if group_by in _AREA_LEVEL_DEPTH:
        return {
            code: (code, name)
            for code, name in Area.objects.filter(code__in=keys).values_list("code", "name")
        }
    return {k: (k, k) for k in keys}


def _none_label(group_by: str, key: Any) -> str:
    if key is not None:
        return str(key)
    return {
        "none": _("All"),
        "unit": _("No unit (not dispatched)"),
        "category": _("Uncategorised"),
    }.get(group_by, _("Not located at this level"))


def _ranking(row: Mapping[str, Any]) -> tuple:
    r = row["rates"]

    def desc(v: float | None) -> float:
        return -v if v is not None else 1.0  # no ratings: after every rated unit

    return (desc(r["satisfaction_rate"]), desc(r["resolution_rate"]), -row["dispatched"], row["label"])
