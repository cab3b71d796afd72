"""Every page and list of the city-scale bench (bench/pages, issue 22) runs a number of queries that does not grow
with the rows behind it, for each role that uses it; and no scope filter sorts the area tree in a subquery.

Each test reads every page once with a small history, grows the history through the real services (appeals in
every scope, their steps, possible duplicates, residents), reads every page again and compares the counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.access.testing import sign_in
from shequ.appeals.choices import Status
from shequ.appeals.selectors import QUEUES
from shequ.appeals.tests import fixtures
from shequ.appeals.tests.fixtures import bring_to, submit

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db


def _subqueries(sql: str) -> list[str]:
    """The text of every `(SELECT ...)` in `sql`, with its own nested parentheses blanked out."""
    found = []
    for start in [m.start() for m in re.finditer(r"\(SELECT ", sql)]:
        depth, own = 0, []
        for ch in sql[start:]:
            depth += ch == "("
            depth -= ch == ")"
            if depth == 1 and ch not in "()":
                own.append(ch)
            if depth == 0:
                break
        found.append("".join(own))
    return found


def _sorted_area_subqueries(sql: str) -> list[str]:
    """Subqueries on the area tree that sort it (ORDER BY without LIMIT): a sort of the whole city's areas."""
    return [
        s
        for s in _subqueries(sql)
        if re.search(r'FROM "geo_area"', s) and " ORDER BY " in s and " LIMIT " not in s
    ]


def _staff_pages(world, detail_pk: int, yuehai_pk: int) -> list[tuple[str, str, dict]]:
    today = timezone.localdate()
    month = today.replace(day=1) - timedelta(days=1)
    pages: list[tuple[str, str, dict]] = []
    for who in ("sunli", "chenjing", "lina", "liuyang"):
        pages.append((who, f"/console/appeals/{detail_pk}/", {}))
    pages.append(("wangqiang", f"/console/appeals/{yuehai_pk}/", {}))
    for queue in ["", *QUEUES]:
        pages.append(("sunli", "/console/appeals/", {"queue": queue}))
    pages += [
        ("sunli", "/console/appeals/", {"queue": "", "page": "2"}),
        ("sunli", "/console/appeals/", {"queue": "", "q": "垃圾"}),
        ("sunli", "/console/appeals/", {"queue": "", "status": "submitted", "area": "440304", "category": "sanitation"}),
        ("chenjing", "/console/appeals/", {"queue": "", "q": "垃圾", "area": "440304"}),
        ("lina", "/console/appeals/", {"queue": "in_progress"}),
        ("liuyang", "/console/appeals/", {"queue": "to_sign", "units": "mine"}),
        ("wangqiang", "/console/appeals/", {"queue": ""}),
        ("sunli", "/console/", {}),
        ("lina", "/console/", {}),
        ("lina", "/api/v1/appeals", {}),
        ("sunli", "/api/v1/appeals", {"limit": "50"}),
        ("sunli", "/api/v1/appeals", {"status": "dispatched", "area": "440304"}),
        ("wangqiang", "/api/v1/appeals", {}),
        ("lina", "/console/residents/", {}),
        ("wangqiang", "/console/residents/", {}),
        ("chenjing", "/dashboard/", {}),
        ("liuyang", "/dashboard/", {}),
        ("chenjing", "/api/v1/appeals/kpis", {"group_by": "unit", "min_volume": "0"}),
        ("chenjing", "/api/v1/appeals/kpis", {"group_by": "street", "from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}),
        ("chenjing", "/api/v1/appeals/kpis", {"group_by": "category", "from": month.replace(day=1).isoformat(), "to": month.isoformat()}),
        ("wangqiang", "/api/v1/appeals/kpis", {"group_by": "unit", "min_volume": "0"}),
    ]  # fmt: skip
    return pages


def _portal_pages(detail_pk: int) -> list[tuple[str | None, str, dict]]:
    return [
        ("zhangwei", "/me/appeals/", {}),
        ("zhangwei", "/me/appeals/", {"page": "2"}),
        ("zhangwei", f"/me/appeals/{detail_pk}/", {}),
        ("zhangwei", "/api/v1/appeals", {}),
        ("zhangwei", "/notices/", {}),
        ("zhangwei", "/", {}),
        (None, "/services/", {"lat": "22.557953", "lng": "114.074874", "radius": "1200"}),
        (None, "/services/", {"street": "440304009"}),
    ]


def _read(client_for, pages) -> tuple[dict[tuple, int], list[str]]:
    counts: dict[tuple, int] = {}
    sorted_areas: list[str] = []
    for who, path, params in pages:
        client = client_for(who)
        with CaptureQueriesContext(connection) as q:
            response = client.get(path, params)
        assert response.status_code == 200, (who, path, params, response.status_code)
        key = (who, path, tuple(sorted(params.items())))
        counts[key] = len(q.captured_queries)
        sorted_areas += [x["sql"] for x in q.captured_queries if _sorted_area_subqueries(x["sql"])]
    return counts, sorted_areas


def _grow(world, clock, django_capture_on_commit_callbacks, make_resident, n: int) -> None:
    """`n` rounds of history in every scope: appeals by the resident (some alike: possible duplicates) at every step
    of their life, handled by lina's station, the district department and the Nanshan street office; residents."""
    for i in range(n):
        clock.advance(minutes=7)
        with django_capture_on_commit_callbacks(execute=True):
            a = submit(world, text=f"小区门口的垃圾桶三天没人清理了，味道很大，第{i}次反映")
            b = submit(world, text="路灯坏了好几天，晚上很黑", category=None)
            c = submit(world, area=world.yuehai_community, text=f"粤海街道小区垃圾没人清运{i}")
        bring_to(world, a, [Status.DISPATCHED, Status.IN_PROGRESS, Status.CLOSED][i % 3])
        bring_to(world, b, Status.DISPATCHED, lead="liuyang")
        bring_to(world, c, [Status.DISPATCHED, Status.REPLIED][i % 2], lead="wangqiang")
        make_resident()
        make_resident("440305", "粤海街道")


def _clients(client_factory, world):
    made: dict = {}

    def client_for(who):
        if who not in made:
            c = client_factory()
            made[who] = sign_in(c, world[who]) if who else c
        return made[who]

    return client_for


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def _compare(few: dict, many: dict) -> list[str]:
    return [f"{k}: {few[k]} → {many[k]} queries" for k in few if many[k] > few[k]]


def test_staff_pages_run_a_constant_number_of_queries_and_never_sort_the_area_tree(
    world, clock, client_factory, django_capture_on_commit_callbacks, make_resident
):
    with django_capture_on_commit_callbacks(execute=True):
        detail = submit(world)
        yuehai = submit(world, area=world.yuehai_community)
    bring_to(world, yuehai, Status.DISPATCHED, lead="wangqiang")
    bring_to(world, detail, Status.DISPATCHED, lead="liuyang")
    _grow(world, clock, django_capture_on_commit_callbacks, make_resident, 2)
    pages = _staff_pages(world, detail.pk, yuehai.pk)
    few, sorted_few = _read(_clients(client_factory, world), pages)
    _grow(world, clock, django_capture_on_commit_callbacks, make_resident, 14)
    many, sorted_many = _read(_clients(client_factory, world), pages)
    assert _compare(few, many) == []
    assert sorted_few + sorted_many == []


def test_portal_pages_run_a_constant_number_of_queries(
    world, clock, client_factory, django_capture_on_commit_callbacks, make_resident
):
    detail = bring_to(world, submit(world), Status.IN_PROGRESS)
    _grow(world, clock, django_capture_on_commit_callbacks, make_resident, 2)
    pages = _portal_pages(detail.pk)
    few, _ = _read(_clients(client_factory, world), pages)
    _grow(world, clock, django_capture_on_commit_callbacks, make_resident, 14)
    many, sorted_many = _read(_clients(client_factory, world), pages)
    assert _compare(few, many) == []
    assert sorted_many == []


def test_the_scope_filter_reads_the_area_tree_without_sorting_it(world):
    """`visible_appeals` names the areas under the user's grants in a subquery: a plain set of ids, no ORDER BY
    (Area.Meta.ordering would sort the whole city tree on every use)."""
    from django.db.models import Q, Subquery

    from shequ.appeals.models import Appeal
    from shequ.appeals.selectors import appeal_list_for, visible_appeals
    from shequ.geo.models import Area

    # The check itself finds the sort that `.values("pk")` alone would keep.
    unsorted = Appeal.objects.filter(
        area_id__in=Subquery(Area.objects.filter(Q(path__prefix="/440300/")).values("pk"))
    )
    assert _sorted_area_subqueries(str(unsorted.query))

    for who in ("sunli", "chenjing", "lina", "wangqiang", "liuyang"):
        sql = str(visible_appeals(world[who]).query)
        if who in ("sunli", "chenjing"):  # the whole city: no area condition at all (selectors._scope)
            assert 'FROM "geo_area"' not in sql and "WHERE" not in sql, sql
        else:
            assert 'FROM "geo_area"' in sql, who
        assert not _sorted_area_subqueries(sql), sql
        listed = str(
            appeal_list_for(user=world[who], area="440304" if who != "wangqiang" else "440305").query
        )
        assert not _sorted_area_subqueries(listed), listed
