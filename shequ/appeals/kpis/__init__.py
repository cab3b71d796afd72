"""Appeal KPIs (三率 and the rest), kept in rollup tables as events happen (DESIGN.md §5, docs/kpis.md).

    rules.py    the counting rules: given an event and the appeal's state before it, which rollup counters of
                which row change by how much (`deltas`). The only place a delta is decided.
    live.py     the writes as events happen: `record` (called by the services inside every action's
                transaction) reads the state before the event from the appeal row, asks the rules, and upserts;
                `deferred` collects a block's increments into one statement
    rebuild.py  the offline repair (`kpis_rebuild`, manage.py rebuild_appeal_kpis): replays the event timeline,
                working out the same state from the events, and asks the same rules
    reports.py  the scoped reads: `kpi_query` (GET /api/v1/appeals/kpis), `kpi_report` (the leaders' dashboard)

Callers import from here; the modules' private helpers stay theirs.
"""

from .live import deferred, record
from .rebuild import kpis_rebuild
from .reports import DEFAULT_MIN_VOLUME, GROUP_BY, MAX_DAYS, KpiResult, kpi_query, kpi_report, rates
from .rules import COUNTERS, ROLLUPS, RowKey

__all__ = [
    "COUNTERS",
    "DEFAULT_MIN_VOLUME",
    "GROUP_BY",
    "MAX_DAYS",
    "ROLLUPS",
    "KpiResult",
    "RowKey",
    "deferred",
    "kpi_query",
    "kpi_report",
    "kpis_rebuild",
    "rates",
    "record",
]
