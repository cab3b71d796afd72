"""Report reads planned for their parameters, not with a prepared statement's generic plan.

The connections prepare statements on the server from their second run (config/settings/base.py), which saves an
intake the parsing and planning of its INSERTs. Under PostgreSQL's default `plan_cache_mode` (auto) a prepared
statement is planned for its parameters five times; after that it gets the generic plan, a plan for any value,
whenever that plan's estimate is no dearer than the custom plans' average. That is right for an INSERT, whose plan
does not depend on its values, and wrong for a report over millions of rollup rows whose best plan does: a generic
plan cannot see how selective the scope's `area_path LIKE` prefix or the date range is. With it, the KPI unit
ranking over a year of a million appeals took 1.0 s instead of 0.2 s from the eighth request on each connection
(bench/RESULTS.md §2).

Forcing custom plans on the whole connection instead costs the intake: planning its batch of writes anew every time
took 44 % more of PostgreSQL's CPU per appeal and 11 % of the appeals per second (bench/RESULTS.md §2). So only the
reads that need it ask for it:

    with planned_for_parameters():
        ... the report's queries ...

The block is a transaction (or a savepoint inside one) that sets `plan_cache_mode` to force_custom_plan with
`SET LOCAL`: PostgreSQL puts the setting back when the transaction ends, and a connection returned to the pool
cannot keep it. Inside an outer transaction the setting lasts to that transaction's end. Without prepared statements
(`DB_PREPARED_STATEMENTS=false`) and on SQLite every statement is planned for its values anyway: the block does
nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections, transaction


def _prepares(alias: str) -> bool:
    connection = connections[alias]
    return connection.vendor == "postgresql" and bool(
        connection.settings_dict["OPTIONS"].get("prepare_threshold")
    )


@contextlib.contextmanager
def planned_for_parameters(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every statement inside is planned for its own parameters (PostgreSQL with prepared statements)."""
    if not _prepares(using):
        yield
        return
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
