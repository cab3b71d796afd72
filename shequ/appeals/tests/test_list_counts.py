"""The lists' counts (issue 22): the count reads the scope in its own shape (each arm of the OR by an index on
PostgreSQL) and stops at a cap, and neither changes which appeals anyone sees.

- Both shapes of the scope (selectors._scope) give every user exactly the same appeals, with and without the list's
  filters: his own, his areas', his units' (lead), his units' co-handled ones, nobody else's.
- A whole-city scope has no condition at all, but only while no other top-level area lies outside it.
- The count is exact up to the cap and says "more than" beyond it, in the console (超过 … 条) and in the API
  (`count_capped`).
- On PostgreSQL the street officer's count is a BitmapOr of index scans, with no subplan tested row by row.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from shequ.access.testing import sign_in
from shequ.appeals import selectors
from shequ.appeals.models import Appeal
from shequ.geo.models import Area

from . import fixtures
from .fixtures import bring_to, submit

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

WHO = ["sunli", "chenjing", "lina", "wangqiang", "liuyang", "zhangwei"]


@pytest.fixture
def spread(world) -> dict[str, Appeal]:
    """Appeals that each reach some users by a different arm of the scope."""
    huafu = submit(world)  # zhangwei's own, in lina's community, liuyang's district
    yuehai = submit(
        world, by="sunli", channel="hotline", area=world.yuehai_community, text="粤海街道路边垃圾堆积"
    )
    # In 南山区 but led by 福田区城管 (liuyang's unit): he sees it by his unit, not by his district.
    led_by_cg = bring_to(
        world,
        submit(
            world, by="sunli", channel="hotline", area=world.yuehai_community, text="粤海街道有人占道经营"
        ),
        "dispatched",
        lead="liuyang",
    )
    # In 华富 with 粤海街道办 co-handling: wangqiang sees it by the assignment only.
    co_handled = bring_to(
        world, submit(world, text="楼道里的垃圾一周没人收"), "in_progress", co=[world.yuehai_office]
    )
    closed = bring_to(world, submit(world, text="路灯不亮已经一周了"), "closed")
    return {
        "huafu": huafu,
        "yuehai": yuehai,
        "led_by_cg": led_by_cg,
        "co_handled": co_handled,
        "closed": closed,
    }


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_both_shapes_of_the_scope_show_everyone_the_same_appeals(world, spread):
    s = spread
    seen = {}
    for who in WHO:
        user = world[who]
        walked = _ids(selectors.visible_appeals(user))
        counted = _ids(Appeal.objects.filter(selectors._scope(user, by_index=True)))
        assert walked == counted, who
        seen[who] = walked
    everything = {a.pk for a in s.values()}
    assert seen["sunli"] == seen["chenjing"] == everything
    assert seen["lina"] == everything - {s["yuehai"].pk, s["led_by_cg"].pk}
    assert seen["liuyang"] == everything - {s["yuehai"].pk}  # 福田区 and what his unit leads
    assert seen["wangqiang"] == {s["yuehai"].pk, s["led_by_cg"].pk, s["co_handled"].pk}
    assert seen["zhangwei"] == {s["huafu"].pk, s["co_handled"].pk, s["closed"].pk}


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"area": "440305"},
        {"area": "440304", "category": "city_management"},
        {"queue": "in_progress"},
        {"status": "dispatched"},
        {"q": "垃圾"},
        {"my_units": True},
        {"mine": True},
    ],
)
def test_the_count_counts_exactly_what_the_list_lists(world, spread, filters):
    for who in WHO:
        user = world[who]
        listed = selectors.appeal_list_for(user=user, **filters)
        listing = selectors.appeal_listing_for(user=user, **filters)
        assert listing.count() == listed.count() == len(list(listing[0:100])), (who, filters)
        assert [a.pk for a in listing[0:100]] == [a.pk for a in listed], (who, filters)
        assert listing.capped is False


def test_a_city_scope_stops_covering_everything_when_another_city_is_loaded(world, spread):
    other_city = Area(code="440400", level="city", name="珠海市")
    other_city.save()
    elsewhere = Appeal.objects.get(pk=spread["huafu"].pk)
    elsewhere.pk, elsewhere.number, elsewhere.area = None, "ZH0000000001", other_city
    elsewhere.requester = None
    elsewhere.save()
    for who in ("sunli", "chenjing"):
        user = world[who]
        assert "WHERE" in str(selectors.visible_appeals(user).query)
        walked = _ids(selectors.visible_appeals(user))
        assert elsewhere.pk not in walked
        assert walked == _ids(Appeal.objects.filter(selectors._scope(user, by_index=True)))
        assert selectors.appeal_listing_for(user=user).count() == len(spread)


def test_the_count_is_exact_below_the_cap_and_capped_above_it(world, spread):
    lina = world["lina"]  # sees 3 of the 5
    for cap, count, capped in [(2, 2, True), (3, 3, False), (10, 3, False)]:
        listing = selectors.appeal_listing_for(user=lina, cap=cap)
        assert (listing.count(), listing.capped) == (count, capped), cap
        # The rows are not cut at the cap: a page shows what the list holds.
        assert len(list(listing[0:10])) == 3


def test_the_console_says_more_than_the_cap(client, world, spread, monkeypatch):
    sign_in(client, world["sunli"])
    page = client.get("/console/appeals/", {"queue": ""}).content.decode()
    assert "5 件诉求" in page and "超过" not in page
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    page = client.get("/console/appeals/", {"queue": ""}).content.decode()
    assert "超过 4 条" in page and "件诉求" not in page
    # The pages reach as far as the cap (past it, filters narrow the list), newest first.
    assert sum(a.number in page for a in spread.values()) == 4 and spread["huafu"].number not in page


def test_the_api_says_when_the_count_is_capped(client, world, spread, monkeypatch):
    sign_in(client, world["sunli"])
    body = client.get("/api/v1/appeals").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (5, False, 5)
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    body = client.get("/api/v1/appeals").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (4, True, 5)
    body = client.get("/api/v1/appeals", {"area": "440305"}).json()
    assert (body["count"], body["count_capped"]) == (2, False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_street_officers_count_reads_each_arm_of_the_scope_by_an_index(world, spread):
    listing = selectors.appeal_listing_for(user=world["wangqiang"])
    counted = listing._counted.order_by().values("pk")
    sql, params = counted.query.sql_with_params()
    assert "= ANY(ARRAY(SELECT" in sql
    with transaction.atomic(), connection.cursor() as cursor:
        # A table this small is read whole whatever the shape; without that choice, the question is whether
        # every arm of the OR *can* be an index condition (the old shape's EXISTS and IN-subquery could not).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "BitmapOr" in plan and "SubPlan" not in plan, plan
    # The requester's, the areas' and the lead units' arms by their own indexes (the assignments' ids by
    # whichever index on the id the planner prefers for a table this small).
    for index in ("appeals_appeal_requester_id", "appeals_area_created", "appeals_unit_status"):
        assert index in plan, plan
