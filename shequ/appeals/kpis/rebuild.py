"""The offline repair (`manage.py rebuild_appeal_kpis`): the rollups recomputed by replaying the event timeline.

`Replay` walks one appeal's events in order and keeps the state the counting rules need before each of them (the
lead unit, the returns, whether the requester was contacted, `contact_due`, the counted rating), which the live
writes read from the appeal row instead; every event's deltas come from the same `rules.deltas`. It is the only
code that reads history, and it never runs on a request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from shequ.accounts.models import Unit

from ..choices import CONTACT_HOURS
from ..models import Appeal, Category, Event, KpiAreaDaily, KpiAreaMonthly, KpiDaily, KpiMonthly
from . import rules
from .rules import COUNTERS, ROLLUPS, Before, Delta, Happened, Place, Rollup, RowKey


@dataclass
class Replay:
    """One appeal's timeline replayed in order, knowing before each event what the live writes read from the
    appeal row.

    It mirrors the services' bookkeeping that the events do not spell out: the lead unit (dispatch/reassign set
    it, return clears it), contact_due (set by a hand-over that does not keep the deadline and by a reopen), whether
    the requester was contacted (the first contact or reply), and the last counted rating (for voiding it). If
    those rules change in services.py, change `_after` with them.
    """

    appeal: Appeal
    place: Place
    unit_ids: Mapping[str, int]
    state: Before = field(default_factory=Before)
    handed_over: bool = False  # dispatched at least once: a hand-over after it keeps the deadlines
    # Category code → (its top-level category's id, its contact hours): a category change (分类) moves the counts
    # of the events after it, as the live writes count each event under the category the appeal had then.
    categories: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    _category_hours: int = field(init=False, default=CONTACT_HOURS)

    def __post_init__(self) -> None:
        if self.appeal.category is not None:
            self._category_hours = self.appeal.category.contact_hours

    @classmethod
    def of(
        cls,
        appeal: Appeal,
        events: list[Event],
        *,
        unit_ids: Mapping[str, int] | None = None,
        categories: Mapping[str, tuple[int, int]] | None = None,
        communities: dict[str, tuple[int, str]] | None = None,
    ) -> Replay:
        """The replay of one appeal's `events` (in order), ready for its first step. The lookups may be shared by
        the replays of many appeals (the rebuild); by default they are read for this one."""
        replay = cls(
            appeal,
            rules.place_of(appeal, communities),
            _unit_ids(events) if unit_ids is None else unit_ids,
            categories=category_tops() if categories is None else categories,
        )
        return replay.start(events)

    def start(self, events: Iterable[Event]) -> Replay:
        """Begin with the category the appeal had at intake: the `before` of its first category change, if any."""
        first = next((e for e in events if e.action == "categorize"), None)
        if first is not None:
            self._categorized((first.data or {}).get("before") or "")
        return self

    def _categorized(self, code: str) -> None:
        top, hours = self.categories.get(code, (None, CONTACT_HOURS))
        self.place = replace(self.place, category_id=top)
        self._category_hours = hours

    def step(self, event: Event) -> list[Delta]:
        """The event's deltas (the rules'), and the state moved past it."""
        data = event.data or {}
        if event.action == "categorize":
            self._categorized(data.get("category") or "")
        action = rules.event_action(event.action, data)
        if action not in rules.COUNTED:
            return []
        unit_id = self.unit_ids.get(data.get("unit") or "") if action in rules.NAMES_ITS_UNIT else None
        happened = Happened(action, event.at, data, unit_id)
        out = rules.deltas(self.appeal, self.state, happened, self.place)
        self.state = self._after(happened, out)
        return out

    def _after(self, event: Happened, out: list[Delta]) -> Before:
        state, action, at, data = self.state, event.action, event.at, event.data
        if action in ("dispatch", "reassign"):
            # The services keep the deadlines of an appeal handed over before (appeal_reassign, appeal_dispatch
            # after a return, the default (兜底) unit); a dispatch by the responsibility list (data "rule": at
            # intake, or when a category change re-sends a returned appeal) starts them again, as the first does.
            keep = bool(data.get("default_unit")) or (
                self.handed_over and (action == "reassign" or "rule" not in data)
            )
            self.handed_over = True
            due = state.contact_due if keep else at + timedelta(hours=self._category_hours)
            return replace(state, lead_unit_id=event.unit_id, contact_due=due)
        if action == "return":
            return replace(state, lead_unit_id=None, returns=state.returns + 1)
        if action == "contact":
            return replace(state, contacted=state.contacted or bool(data.get("first")))
        if action == "reply":
            return replace(state, contacted=True)
        if action == "reopen":  # as services._reopen
            return replace(state, contact_due=at + timedelta(hours=self._category_hours))
        if action == "evaluate":
            return replace(state, rating=out[0])
        if action == "decide_rating_dispute" and out:
            return replace(state, rating=None)  # voided: a later dispute has nothing to take back
        return state


def category_tops() -> dict[str, tuple[int, int]]:
    """Every category's code → (its top-level category's id, its contact hours), as `rules.place_of` counts it."""
    return {
        code: (parent_id or pk, hours)
        for code, pk, parent_id, hours in Category.objects.values_list(
            "code", "pk", "parent_id", "contact_hours"
        )
    }


def last_decision(appeal: Appeal) -> list[Delta]:
    """The deltas of the appeal's latest rating-dispute decision, by replaying its timeline: what the live write of
    an upheld dispute adds (the counted rating is not on the appeal row)."""
    events = list(appeal.events.order_by("at", "id"))
    replay = Replay.of(appeal, events)
    out: list[Delta] = []
    for event in events:
        step = replay.step(event)
        if event.action == "decide_rating_dispute":
            out = step  # the last decision is this one
    return out


def _unit_ids(events: Iterable[Event]) -> dict[str, int]:
    codes = {e.data.get("unit") for e in events if e.action in rules.NAMES_ITS_UNIT and e.data}
    codes.discard(None)
    return dict(Unit.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}


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
        categories = category_tops()
        for appeal in appeals.iterator(chunk_size=500):
            events = list(appeal.events.all())
            replay = Replay.of(
                appeal, events, unit_ids=unit_ids, categories=categories, communities=communities
            )
            for event in events:
                for key, counts in replay.step(event):
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
        kpis_resum(since=since)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner: after millions of rows changed at once, autovacuum may take minutes to
        # notice, and until then the KPI reads are planned for the old table (bench/RESULTS.md, the KPI endpoint).
        with connection.cursor() as cursor:
            for model in ROLLUPS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return len(totals)


def kpis_resum(*, since: date | None = None) -> None:
    """The monthly rows and the rows without the unit summed anew from the daily rows (from `since`'s period on):
    the second half of a rebuild, also run by a bulk load that wrote the daily rows itself (shequ/demo/history.py)."""
    with transaction.atomic():
        _resum(KpiMonthly, KpiDaily, since)
        _resum(KpiAreaDaily, KpiDaily, since)
        _resum(KpiAreaMonthly, KpiMonthly, since)


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


def accumulate(totals: dict[RowKey, Counter[str]], key: RowKey, counts: Mapping[str, int]) -> None:
    """Add one delta to in-memory rollup rows, as the rebuild does (for a bulk load that replays as it writes)."""
    _accumulate(totals, key, counts)


def _accumulate(totals: dict[RowKey, Counter[str]], key: RowKey, counts: Mapping[str, int]) -> None:
    """The in-memory twin of `live._add`: a subtraction never creates a row nor goes below zero."""
    row = totals.get(key)
    if row is None:
        if any(n < 0 for n in counts.values()):
            return
        row = totals[key] = Counter()
    for name, n in counts.items():
        row[name] = max(0, row[name] + n)
