"""Report reads planned for their parameters (shequ.core.db.plans): inside the block PostgreSQL never gives a prepared
statement its generic plan; outside it, the connection keeps PostgreSQL's default, which does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DataError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.appeals.models import Appeal
from shequ.core.db.plans import planned_for_parameters

pytestmark = pytest.mark.django_db
prepares = connection.vendor == "postgresql" and bool(
    connection.settings_dict["OPTIONS"].get("prepare_threshold")
)
on_postgresql = pytest.mark.skipif(not prepares, reason="PostgreSQL with prepared statements only")


def plans_after_ten_runs(queryset) -> tuple[int, int]:
    """(generic, custom) plans of the statement behind `queryset` after running it ten times."""
    for _ in range(10):
        list(queryset.all())  # a fresh queryset each time: a used one keeps its rows
    head = str(queryset.query).split(" WHERE ")[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [head + " WHERE %"],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return rows[0]


@on_postgresql
def test_inside_the_block_a_prepared_statement_is_never_given_the_generic_plan():
    with planned_for_parameters():
        generic, custom = plans_after_ten_runs(
            Appeal.objects.filter(text="probe").values_list("pk", flat=True)
        )
    assert generic == 0 and custom >= 5


@on_postgresql
def test_outside_it_postgresql_s_default_gives_a_repeated_statement_its_generic_plan():
    # What the intake's INSERTs are meant to get, and what made the KPI report five times slower.
    generic, custom = plans_after_ten_runs(
        Appeal.objects.filter(text="probe").values_list("number", flat=True)
    )
    assert generic > 0 and custom == 5


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_setting_ends_with_the_block():
    def mode() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            return cursor.fetchone()[0]

    assert mode() == "auto"
    with planned_for_parameters():
        assert mode() == "force_custom_plan"
    assert mode() == "auto"
    with pytest.raises(DataError), planned_for_parameters(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")  # a statement that fails inside the block: it rolls back
    assert mode() == "auto"


def test_without_prepared_statements_the_block_sends_nothing():
    if prepares:
        pytest.skip("this run prepares statements")
    with CaptureQueriesContext(connection) as ctx, planned_for_parameters():
        pass
    assert ctx.captured_queries == []


@on_postgresql
def test_the_kpi_report_reads_its_rollups_planned_for_its_parameters(cast):
    from shequ.appeals.kpis import kpi_report

    today = timezone.localdate()
    with CaptureQueriesContext(connection) as ctx:
        kpi_report(
            user=cast["chenjing"],
            group_bys=["unit", "district"],
            date_from=today - timedelta(days=364),
            date_to=today,
        )
    sql = [q["sql"] for q in ctx.captured_queries]
    set_at = next(i for i, s in enumerate(sql) if "plan_cache_mode = force_custom_plan" in s)
    reads = [i for i, s in enumerate(sql) if '"appeals_kpi' in s]
    # In a test the block is a savepoint: every read lies between the SET and the savepoint's release.
    released_at = next(i for i, s in enumerate(sql) if i > set_at and s.startswith("RELEASE SAVEPOINT"))
    assert reads and set_at < min(reads) and max(reads) < released_at, sql
