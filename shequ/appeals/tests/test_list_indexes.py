"""The lists of overdue and of supervised appeals (the leaders' dashboard, the console's queues) can be read off
their partial indexes, newest first: the queue's condition (selectors.QUEUES) must imply the index's, or PostgreSQL
cannot use it, and the list would again depend on the areas' statistics and on the plan (bench/pages/RESULTS.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from shequ.access.scoping import scope_for
from shequ.accounts.roles import Action
from shequ.appeals import selectors
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal

from . import fixtures

clock = fixtures.clock
world = fixtures.world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's partial indexes and planner"),
]


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Only index scans left, so the test asks whether the partial index *can* serve the list, not which plan
        # a table this small would get.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _dashboard_area(user) -> str:
    """The area the leaders' dashboard shows a user: the widest of their scope (dashboards.views._area)."""
    path = sorted(scope_for(user, Action.APPEALS_KPI).paths, key=len)[0]
    return [code for code in path.split("/") if code][-1]


@pytest.fixture
def history(world) -> list[Appeal]:
    """120 appeals in 华富街道 over four months; every 20th overdue, every 30th supervised; statistics taken."""
    first = fixtures.submit(world)
    now = timezone.now()
    rows = []
    for i in range(120):
        appeal = Appeal.objects.get(pk=first.pk)
        appeal.pk, appeal.number = None, f"SQT{i:08d}"
        appeal.created_at = now - timedelta(days=i)
        appeal.status = Status.IN_PROGRESS if i % 2 else Status.CLOSED
        appeal.overdue_at = now - timedelta(days=i) if i % 20 == 1 else None
        appeal.supervised = i % 30 == 1
        rows.append(appeal)
    created = Appeal.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appeals_appeal")
    return created


@pytest.mark.parametrize(
    ("queue", "index"), [("overdue", "appeals_overdue_newest"), ("supervised", "appeals_supervised_newest")]
)
@pytest.mark.parametrize("username", ["chenjing", "lina"])
def test_the_dashboards_lists_are_read_off_their_partial_index(world, history, username, queue, index):
    user = world[username]
    qs = selectors.appeal_list_for(user=user, area=_dashboard_area(user), queue=queue)[:10]
    assert index in _plan(qs)
    # And what it reads is the list: the newest of the queue's appeals, none other.
    expected = sorted(
        (a for a in history if (a.overdue_at is not None if queue == "overdue" else a.supervised)),
        key=lambda a: a.created_at,
        reverse=True,
    )
    assert [a.pk for a in qs] == [a.pk for a in expected][:10] != []
