"""Stale statistics cannot make a page slow (issue 22): the commands that write many rows at once (the city pack,
the responsibility list import, the KPI rollup rebuild, the demo seed) end by refreshing the planner's statistics of
the tables they wrote, as autovacuum may be off or minutes behind (docs/operations.md)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.appeals.tests.test_rules import _tmp, sheet, units  # noqa: F401 - `units` is a fixture

pytestmark = pytest.mark.django_db


def _analyzed(queries) -> set[str]:
    return {m.group(1) for q in queries if (m := re.match(r'\s*ANALYZE "([a-z0-9_]+)"', q["sql"]))}


def test_loading_the_city_pack_analyzes_the_area_tree():
    with CaptureQueriesContext(connection) as q:
        call_command("load_city_pack", "shenzhen", stdout=StringIO())
    assert "geo_area" in _analyzed(q.captured_queries)


def test_importing_the_responsibility_list_analyzes_the_rules_but_a_dry_run_does_not(cast, units):  # noqa: F811
    data = sheet([["city_management", "440304", "440304-CG", None, "2024-01-01", None, "2026版"]])
    with CaptureQueriesContext(connection) as dry:
        call_command("responsibility_list", _tmp(data), "--dry-run", stdout=StringIO())
    assert _analyzed(dry.captured_queries) == set()
    with CaptureQueriesContext(connection) as q:
        call_command("responsibility_list", _tmp(data), stdout=StringIO())
    assert "appeals_responsibilityrule" in _analyzed(q.captured_queries)


def test_rebuilding_the_rollups_analyzes_every_rollup_table(cast):
    from shequ.appeals.kpis import ROLLUPS

    with CaptureQueriesContext(connection) as q:
        call_command("rebuild_appeal_kpis", stdout=StringIO())
    assert {m._meta.db_table for m in ROLLUPS} <= _analyzed(q.captured_queries)


def test_the_demo_seed_analyzes_the_tree_the_units_the_residents_and_the_history(cast):
    from shequ.demo.seed import seed_demo

    # Every statement the seed sends, not CaptureQueriesContext's last 9,000: the seed sends far more than that, and
    # the living year's ANALYZE comes in the middle.
    sent: list[dict] = []

    def record(execute, sql, params, many, context):
        sent.append({"sql": sql})
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        seed_demo(scale="small", seed=7, appeals=50)
    analyzed = _analyzed(sent)
    assert {
        "geo_area",
        "accounts_unit",
        "accounts_grant",
        "residents_resident",
        "appeals_appeal",
        "appeals_event",
        "appeals_kpidaily",
        "appeals_responsibilityrule",
    } <= analyzed
