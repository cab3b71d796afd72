"""KPIs (docs/kpis.md): rollups written by the real services as actions happen, read through the scoped query and
the API, and rebuilt from the timeline to the same rows. Every expected rate below is worked out by hand in the
comments of `huafu_week`."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from shequ.access.testing import sign_in
from shequ.appeals import kpis, services
from shequ.appeals.kpis import COUNTERS, kpi_query, kpis_rebuild, live
from shequ.appeals.models import Appeal, Category, KpiAreaDaily, KpiAreaMonthly, KpiDaily, KpiMonthly
from shequ.core.errors import NotFound, ShequError
from shequ.geo.models import Area

from . import fixtures
from .fixtures import SHANGHAI, Clock, World, submit

# The shared fixtures, bound by assignment rather than imported by name: test parameters of the same name would
# otherwise read as redefinitions of an unused import (ruff F811). `clock` is autouse: time is fixed and moved.
clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

MON = date(2026, 3, 2)  # the fixtures' clock starts Monday 2 March 2026, 10:00 in Shenzhen
TUE, WED = MON + timedelta(days=1), MON + timedelta(days=2)
REPLY = "已安排保洁人员清理，并增加清运频次。"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def dispatch(world: World, appeal: Appeal, unit) -> Appeal:
    return services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=unit)


def handle(world: World, appeal: Appeal, *, by: str = "lina") -> Appeal:
    appeal = services.appeal_sign_for(actor=world[by], appeal=appeal)
    return services.appeal_start(actor=world[by], appeal=appeal)


def rows_now() -> set[tuple]:
    """Every rollup row of every level, as comparable tuples (level, key and counters)."""
    key = ["unit_id", "area_id", "area_path", "category_id", *COUNTERS]
    area_key = key[1:]
    return (
        {("day", *r) for r in KpiDaily.objects.values_list("day", *key)}
        | {("month", *r) for r in KpiMonthly.objects.values_list("month", *key)}
        | {("area day", *r) for r in KpiAreaDaily.objects.values_list("day", *area_key)}
        | {("area month", *r) for r in KpiAreaMonthly.objects.values_list("month", *area_key)}
    )


def delete_rollups() -> None:
    for model in kpis.ROLLUPS:
        model.objects.all().delete()


def total(user, **kw) -> dict:
    kw.setdefault("date_from", MON)
    kw.setdefault("date_to", WED)
    return kpi_query(user=user, **kw).rows[0]


@pytest.fixture
def huafu_week(world: World, clock: Clock) -> dict[str, Appeal]:
    """A realistic few days in 华山社区 (华富街道, 福田区), through the real services.

    a1  Mon 10:00 submitted, dispatched to lina's station, contacted at 11:00 (on time), replied at 14:00 (4 h),
        rated 5 → resolved, satisfied, closed
    a2  Mon 14:00 submitted and dispatched; contacted Tue 20:00 (30 h: late), replied then (30 h), rated 2 →
        not resolved, not satisfied, reopened automatically
    a3  Tue 20:00 dispatched to the district 城管局, returned by liuyang, dispatched to lina, replied 22:00 without a
        separate contact: the reply is the first contact, on time (2 h)
    a4  Tue 22:00 an emergency, dispatched 10 minutes later; the 2-hour reply deadline passes, the scan marks it
        overdue (Wed 01:10)
    a5  Tue 22:10 rejected by the dispatcher

    Totals: received 5 (emergency 1); dispatched 5 (a1, a2, a3 twice, a4); responded 3, on time 2 (a1, a3);
    replied 3, all on time, 4 + 30 + 2 = 36 h; rated 2, satisfied 1, resolved 1; reopened 1; returned 1;
    closed 1; overdue 1; rejected 1; emergency dispatched within 20 minutes 1.
    Rates: 响应率 2/5 = 0.4; 解决率 1/2; 满意率 1/2; on time 3/3; reopen 1/3; return 1/5; 12 h mean;
    emergency 1/1.
    """
    lina_unit, cg = world.lina_unit, world.cg
    zhangwei, lina = world["zhangwei"], world["lina"]

    a1 = dispatch(world, submit(world), lina_unit)
    a1 = handle(world, a1)
    clock.set(at(MON, 11))
    a1 = services.appeal_contact(actor=lina, appeal=a1, note="电话联系诉求人")
    clock.set(at(MON, 14))
    a1 = services.appeal_reply(actor=lina, appeal=a1, text=REPLY)
    a1 = services.appeal_evaluate(actor=zhangwei, appeal=a1, rating=5)

    a2 = dispatch(world, submit(world), lina_unit)
    a2 = handle(world, a2)
    clock.set(at(TUE, 20))
    a2 = services.appeal_contact(actor=lina, appeal=a2, note="电话联系诉求人")
    a2 = services.appeal_reply(actor=lina, appeal=a2, text=REPLY)
    a2 = services.appeal_evaluate(actor=zhangwei, appeal=a2, rating=2)

    a3 = dispatch(world, submit(world), cg)
    a3 = services.appeal_return(actor=world["liuyang"], appeal=a3, reason="属社区工作站职责")
    a3 = dispatch(world, a3, lina_unit)
    a3 = handle(world, a3)
    clock.set(at(TUE, 22))
    a3 = services.appeal_reply(actor=lina, appeal=a3, text=REPLY)

    a4 = submit(world, text="小区地下车库有积水，需要尽快处理", urgency="emergency")
    clock.set(at(TUE, 22, 10))
    a4 = dispatch(world, a4, lina_unit)
    a5 = submit(world, text="咨询一下社区图书馆开放时间")
    services.appeal_reject(actor=world["sunli"], appeal=a5, reason="属咨询，已直接答复")
    clock.set(at(WED, 1, 10))
    assert services.appeal_scan_deadlines()["overdue"] == 1
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5}


# --- the live rollup ----------------------------------------------------------------------------------------------
def test_each_rate_matches_the_hand_computed_value(world, huafu_week):
    row = total(world["chenjing"])
    assert {name: row[name] for name in COUNTERS} == {
        "received": 5,
        "dispatched": 5,
        "responded": 3,
        "responded_on_time": 2,
        "replied": 3,
        "replied_on_time": 3,
        "handling_seconds": (4 + 30 + 2) * 3600,
        "rated": 2,
        "satisfied": 1,
        "resolved": 1,
        "reopened": 1,
        "returned": 1,
        "closed": 1,
        "overdue": 1,
        "rejected": 1,
        "emergency_received": 1,
        "emergency_dispatched_in_20min": 1,
    }
    assert row["rates"] == {
        "response_rate": 0.4,
        "resolution_rate": 0.5,
        "satisfaction_rate": 0.5,
        "on_time_rate": 1.0,
        "reopen_rate": 0.3333,
        "return_rate": 0.2,
        "mean_handling_hours": 12.0,
        "emergency_dispatch_rate": 1.0,
    }


def test_counts_land_on_the_shenzhen_day_of_the_event(world, huafu_week):
    by_day = {
        r["key"]: r
        for r in kpi_query(user=world["chenjing"], group_by="day", date_from=MON, date_to=WED).rows
    }
    assert list(by_day) == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert (by_day["2026-03-02"]["received"], by_day["2026-03-02"]["replied"]) == (2, 1)
    assert (by_day["2026-03-03"]["received"], by_day["2026-03-03"]["replied"]) == (3, 2)
    # 01:10 on Wednesday in Shenzhen is still Tuesday in UTC: the day is the local one.
    assert by_day["2026-03-04"]["overdue"] == 1
    month = kpi_query(user=world["chenjing"], group_by="month", date_from=MON, date_to=WED).rows
    assert [(r["key"], r["received"]) for r in month] == [("2026-03", 5)]


def test_a_period_outside_the_events_has_no_basis_for_any_rate(world, huafu_week):
    row = total(world["chenjing"], date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    assert row["received"] == 0
    assert set(row["rates"].values()) == {None}


def test_a_bad_rating_that_says_fixed_is_resolved_and_a_good_one_that_says_not_fixed_is_not(world):
    zhangwei = world["zhangwei"]
    for rating, resolved in ((4, False), (2, True)):
        a = handle(world, dispatch(world, submit(world), world.lina_unit))
        a = services.appeal_reply(actor=world["lina"], appeal=a, text=REPLY)
        services.appeal_evaluate(actor=zhangwei, appeal=a, rating=rating, resolved=resolved)
    row = total(world["chenjing"])
    assert (row["rated"], row["satisfied"], row["resolved"]) == (2, 1, 1)


def test_an_upheld_rating_dispute_takes_the_rating_out_of_the_day_and_unit_it_was_counted_in(world, clock):
    a = handle(world, dispatch(world, submit(world), world.lina_unit))
    a = services.appeal_reply(actor=world["lina"], appeal=a, text=REPLY)
    a = services.appeal_evaluate(actor=world["zhangwei"], appeal=a, rating=1, resolved=True)
    clock.set(at(TUE, 9))
    a = services.appeal_dispute_rating(
        actor=world["lina"], appeal=a, reason="诉求人评价的是另一件事，与本工单无关"
    )
    kept = services.appeal_decide_rating_dispute(actor=world["sunli"], appeal=a, uphold=False)
    assert total(world["chenjing"])["rated"] == 1  # a refused dispute changes nothing

    clock.set(at(TUE, 10))
    again = services.appeal_dispute_rating(
        actor=world["lina"], appeal=kept, reason="补充了通话录音，诉求人评价的是另一件事"
    )
    services.appeal_decide_rating_dispute(actor=world["sunli"], appeal=again, uphold=True)
    monday = total(world["chenjing"], date_from=MON, date_to=MON)
    assert (monday["rated"], monday["satisfied"], monday["resolved"]) == (0, 0, 0)
    assert monday["replied"] == 1 and monday["reopened"] == 1  # the rest of the day is untouched
    assert monday["rates"]["satisfaction_rate"] is None
    assert not KpiDaily.objects.filter(day=TUE).exists()


# --- grouping -----------------------------------------------------------------------------------------------------
def test_group_by_unit_ranks_by_satisfaction_then_resolution_and_leaves_out_small_units(world):
    def rated(unit, by: str, rating: int) -> None:
        a = handle(world, dispatch(world, submit(world), unit), by=by)
        a = services.appeal_reply(actor=world[by], appeal=a, text=REPLY)
        services.appeal_evaluate(actor=world["zhangwei"], appeal=a, rating=rating)

    rated(world.lina_unit, "lina", 5)
    rated(world.lina_unit, "lina", 2)
    rated(world.cg, "liuyang", 4)
    submit(world)  # not dispatched: no unit to rank, not counted as left out

    ranking = kpi_query(user=world["chenjing"], group_by="unit", date_from=MON, date_to=MON, min_volume=1)
    assert [(r["key"], r["rates"]["satisfaction_rate"]) for r in ranking.rows] == [
        ("440304-CG", 1.0),
        (world.lina_unit.code, 0.5),
    ]
    assert ranking.rows[0]["label"] == world.cg.name and ranking.left_out == 0

    ranking = kpi_query(user=world["chenjing"], group_by="unit", date_from=MON, date_to=MON, min_volume=2)
    assert [r["key"] for r in ranking.rows] == [world.lina_unit.code]
    assert ranking.left_out == 1
    # The default minimum is 10 work orders: nobody here qualifies yet.
    ranking = kpi_query(user=world["chenjing"], group_by="unit", date_from=MON, date_to=MON)
    assert (ranking.rows, ranking.left_out) == ([], 2)


def test_group_by_unit_counts_the_return_for_the_unit_that_returned(world, huafu_week):
    rows = kpi_query(user=world["chenjing"], group_by="unit", date_from=MON, date_to=WED, min_volume=0).rows
    units = {r["key"]: r for r in rows}
    assert (units["440304-CG"]["dispatched"], units["440304-CG"]["returned"]) == (1, 1)
    lina = units[world.lina_unit.code]
    assert (lina["dispatched"], lina["returned"], lina["responded_on_time"]) == (4, 0, 2)
    assert lina["rates"]["response_rate"] == 0.5


def test_group_by_district_street_and_community_follow_the_area_tree(world, huafu_week):
    yuehai = services.appeal_dispatch(
        actor=world["sunli"], appeal=submit(world, area=world.yuehai_community), unit=world.yuehai_office
    )
    assert yuehai.area == world.yuehai_community
    chenjing = world["chenjing"]
    districts = kpi_query(user=chenjing, group_by="district", date_from=MON, date_to=WED).rows
    assert [(r["key"], r["label"], r["received"]) for r in districts] == [
        ("440304", "福田区", 5),
        ("440305", "南山区", 1),
    ]
    streets = kpi_query(user=chenjing, group_by="street", date_from=MON, date_to=WED).rows
    assert [(r["label"], r["received"]) for r in streets] == [("华富街道", 5), ("粤海街道", 1)]
    communities = kpi_query(
        user=chenjing, group_by="community", area="440304", date_from=MON, date_to=WED
    ).rows
    assert [(r["key"], r["received"]) for r in communities] == [(world.huafu_community.code, 5)]


def test_an_appeal_located_only_to_its_district_has_its_own_row_below_street_level(world):
    submit(world, area=world.huafu_community.parent.parent)  # "somewhere in 福田区"
    streets = kpi_query(user=world["chenjing"], group_by="street", date_from=MON, date_to=MON).rows
    assert [(r["key"], r["received"]) for r in streets] == [(None, 1)]
    assert streets[0]["label"]  # "not located at this level", in the user's language


def test_group_by_category_uses_the_top_level_category(world):
    submit(world)  # sanitation, under city_management
    submit(world, text="小区门口道路被私家车长期占用停车", category="parking")  # under traffic
    rows = kpi_query(user=world["chenjing"], group_by="category", date_from=MON, date_to=MON).rows
    assert [(r["key"], r["label"], r["received"]) for r in rows] == [
        ("city_management", "城市管理", 1),
        ("traffic", "交通出行", 1),
    ]
    only = kpi_query(user=world["chenjing"], category="traffic", date_from=MON, date_to=MON).rows
    assert only[0]["received"] == 1
    with pytest.raises(ShequError) as sub:
        kpi_query(user=world["chenjing"], category="parking", date_from=MON, date_to=MON)
    assert sub.value.status == 400 and "traffic" in sub.value.message


# --- scoping ------------------------------------------------------------------------------------------------------
def test_a_street_officer_of_yuehai_sees_nothing_of_huafu(world, huafu_week):
    wangqiang = world["wangqiang"]
    assert total(wangqiang)["received"] == 0
    with pytest.raises(NotFound):
        kpi_query(user=wangqiang, area=world.huafu_community.code)
    with pytest.raises(NotFound):
        kpi_query(user=wangqiang, area="440304")  # the district around his scope is not inside it either


def test_a_community_worker_reads_her_street_and_a_resident_may_not_read_kpis(world, huafu_week):
    assert total(world["lina"])["received"] == 5
    assert total(world["lina"], area=world.huafu_community.code)["received"] == 5
    with pytest.raises(PermissionDenied):
        kpi_query(user=world["zhangwei"])


# --- the API ------------------------------------------------------------------------------------------------------
URL = "/api/v1/appeals/kpis"


def test_the_api_answers_with_rows_rates_and_the_period(client, world, huafu_week):
    sign_in(client, world["chenjing"])
    body = client.get(URL, {"from": "2026-03-02", "to": "2026-03-04", "group_by": "street"}).json()
    assert (body["from"], body["to"], body["group_by"], body["left_out"]) == (
        "2026-03-02",
        "2026-03-04",
        "street",
        0,
    )
    (row,) = body["rows"]
    assert (row["key"], row["label"], row["received"]) == ("440304009", "华富街道", 5)
    assert row["rates"]["response_rate"] == 0.4 and row["rates"]["mean_handling_hours"] == 12.0


def test_the_api_defaults_to_the_last_30_days(client, world, huafu_week):
    sign_in(client, world["chenjing"])
    body = client.get(URL).json()  # the clock says Wednesday 4 March
    assert (body["from"], body["to"], body["group_by"]) == ("2026-02-03", "2026-03-04", "none")
    assert body["rows"][0]["received"] == 5


def test_the_api_refuses_anonymous_residents_and_other_scopes(client, world, huafu_week):
    assert client.get(URL).status_code == 401
    sign_in(client, world["zhangwei"])
    refused = client.get(URL)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    sign_in(client, world["wangqiang"])
    outside = client.get(URL, {"area": world.huafu_community.code})
    unknown = client.get(URL, {"area": "999999"})
    assert outside.status_code == unknown.status_code == 404
    assert outside.json()["message"] == unknown.json()["message"] == "没有该代码的区域。"
    assert client.get(URL).json()["rows"][0]["received"] == 0


@pytest.mark.parametrize(
    "params, field",
    [
        ({"group_by": "weather"}, "group_by"),
        ({"from": "2026-03-04", "to": "2026-03-02"}, "to"),
        ({"from": "2025-01-01", "to": "2026-03-02"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"min_volume": "-1"}, "min_volume"),
    ],
)
def test_bad_parameters_get_400_in_the_error_shape(client, world, params, field):
    sign_in(client, world["chenjing"])
    response = client.get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and field in response.json()["fields"]


def test_400_days_is_the_longest_period(client, world):
    sign_in(client, world["chenjing"])
    last = date(2026, 3, 6)
    longest = {"from": (last - timedelta(days=399)).isoformat(), "to": last.isoformat()}
    assert client.get(URL, longest).status_code == 200
    longer = {"from": (last - timedelta(days=400)).isoformat(), "to": last.isoformat()}
    assert client.get(URL, longer).status_code == 400


def test_the_api_runs_a_constant_number_of_queries(client, world, clock, django_assert_max_num_queries):
    dispatch(world, submit(world), world.lina_unit)
    sign_in(client, world["chenjing"])
    params = {"group_by": "unit", "min_volume": "0", "from": "2026-03-01", "to": "2026-03-31"}
    # On PostgreSQL 3 of them are the reads' own block (core.db.plans): SAVEPOINT, SET LOCAL, RELEASE in a test.
    with django_assert_max_num_queries(11 if connection.vendor == "postgresql" else 8) as few:
        assert len(client.get(URL, params).json()["rows"]) == 1
    for day in range(3, 8):
        clock.set(at(MON, 10) + timedelta(days=day))
        dispatch(world, submit(world, area=world.yuehai_community), world.yuehai_office)
        dispatch(world, submit(world), world.cg)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(URL, params).json()["rows"]) == 3


# --- the offline rebuild ------------------------------------------------------------------------------------------
def test_a_rebuild_from_the_timeline_gives_the_rows_the_live_updates_wrote(world, clock, huafu_week):
    a2 = huafu_week["a2"]
    clock.set(at(WED, 9))
    a2 = services.appeal_dispute_rating(
        actor=world["lina"], appeal=a2, reason="诉求人评价的是另一件事，与本工单无关"
    )
    services.appeal_decide_rating_dispute(actor=world["sunli"], appeal=a2, uphold=True)
    live = rows_now()
    assert len(live) >= 5

    KpiDaily.objects.update(received=0)  # the damage a repair has to undo
    KpiDaily.objects.filter(day=MON).delete()
    KpiMonthly.objects.update(replied=7)
    KpiAreaDaily.objects.filter(day=TUE).delete()
    KpiAreaMonthly.objects.update(rated=9)
    assert kpis_rebuild() == len([r for r in live if r[0] == "day"])
    assert rows_now() == live


def test_a_rebuild_also_matches_after_reassignments_returns_reopens_and_late_emergencies(world, clock):
    sunli, lina, liuyang, zhangwei = world["sunli"], world["lina"], world["liuyang"], world["zhangwei"]
    # Two returns: the street office is decided as the default (兜底) unit, keeping the first deadlines.
    b1 = dispatch(world, submit(world), world.cg)
    b1 = services.appeal_return(actor=liuyang, appeal=b1, reason="属社区工作站职责")
    b1 = dispatch(world, b1, world.lina_unit)
    b1 = services.appeal_return(actor=lina, appeal=b1, reason="属街道办事处职责")
    b1.refresh_from_db()
    assert b1.lead_unit == world.huafu_office
    # Reassigned before anyone called: the reply is the first contact, against the first dispatch's deadline.
    b2 = dispatch(world, submit(world), world.lina_unit)
    clock.set(at(MON, 16))
    b2 = services.appeal_reassign(actor=sunli, appeal=b2, unit=world.cg, note="属城管职责")
    b2 = handle(world, b2, by="liuyang")
    clock.set(at(TUE, 11))  # 25 h after the first dispatch: late
    b2 = services.appeal_reply(actor=liuyang, appeal=b2, text=REPLY)
    b2 = services.appeal_evaluate(actor=zhangwei, appeal=b2, rating=3)
    b2 = services.appeal_reopen(actor=sunli, appeal=b2, reason="回访发现问题反复")
    b2 = handle(world, b2, by="liuyang")
    b2 = services.appeal_contact(actor=liuyang, appeal=b2, note="再次联系")
    b2 = services.appeal_reply(actor=liuyang, appeal=b2, text=REPLY)
    b2 = services.appeal_evaluate(actor=zhangwei, appeal=b2, rating=1)
    b2 = services.appeal_dispute_rating(
        actor=liuyang, appeal=b2, reason="诉求人评价的是另一件事，与本工单无关"
    )
    services.appeal_decide_rating_dispute(actor=sunli, appeal=b2, uphold=True)
    # An emergency dispatched after 30 minutes; an extension asked for and granted.
    b3 = submit(world, text="小区地下车库有积水，需要尽快处理", urgency="emergency")
    clock.set(at(TUE, 11, 30))
    dispatch(world, b3, world.lina_unit)
    b4 = handle(world, dispatch(world, submit(world), world.lina_unit))
    b4 = services.appeal_request_extension(actor=lina, appeal=b4, days=3, reason="需要协调物业公司").appeal
    services.appeal_decide_extension(actor=sunli, appeal=b4, approve=True)

    row = total(world["chenjing"])
    assert (row["received"], row["dispatched"], row["returned"]) == (4, 7, 2)
    assert (row["responded"], row["responded_on_time"]) == (1, 0)
    assert (row["replied"], row["rated"], row["satisfied"], row["reopened"]) == (2, 1, 1, 2)
    assert (row["emergency_received"], row["emergency_dispatched_in_20min"]) == (1, 0)
    units = {
        r["key"]: r
        for r in kpi_query(
            user=world["chenjing"], group_by="unit", date_from=MON, date_to=WED, min_volume=0
        ).rows
    }
    assert units[world.huafu_office.code]["dispatched"] == 1
    assert (units["440304-CG"]["returned"], units["440304-CG"]["replied"]) == (1, 2)

    live = rows_now()
    delete_rollups()
    kpis_rebuild()
    assert rows_now() == live


def test_a_rebuild_from_a_date_leaves_the_days_before_it_alone(world, huafu_week):
    live = rows_now()
    KpiDaily.objects.filter(day__gte=TUE).delete()
    KpiMonthly.objects.all().delete()  # the month of TUE is re-summed from its daily rows, MON's included
    KpiAreaDaily.objects.filter(day__gte=TUE).delete()
    KpiAreaMonthly.objects.all().delete()
    call_command("rebuild_appeal_kpis", "--from", TUE.isoformat())
    assert rows_now() == live
    assert kpis.kpi_query(user=world["chenjing"], date_from=MON, date_to=WED).rows[0]["received"] == 5


def test_the_rebuild_command_refuses_a_bad_date(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rebuild_appeal_kpis", "--from", "last week")


# --- intake dispatched by the responsibility list, and deferred writes --------------------------------------------
def test_an_intake_the_rule_dispatches_counts_both_steps_as_the_rebuild_does(world):
    from shequ.appeals.models import ResponsibilityRule
    from shequ.audit.models import AuditEntry

    ResponsibilityRule.objects.create(
        category=Category.objects.get(code="sanitation"),
        area=world.huafu_community.parent,
        lead_unit=world.huafu_office,
        effective_from=date(2020, 1, 1),
    )
    with CaptureQueriesContext(connection) as queries:
        appeal = submit(world, urgency="emergency")
    assert appeal.status == "dispatched" and appeal.lead_unit == world.huafu_office
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"
    # Inserted so, not updated afterwards.
    assert not [q for q in queries if q["sql"].startswith('UPDATE "appeals_appeal"')]
    steps = list(appeal.events.order_by("id").values_list("action", "from_status", "to_status"))
    assert steps == [("submit", "", "submitted"), ("dispatch", "submitted", "dispatched")]
    audited = AuditEntry.objects.filter(object_type="appeals.appeal", object_id=str(appeal.pk)).order_by(
        "seq"
    )
    assert [(e.action, e.changes["status"]) for e in audited] == [
        ("appeal.submit", {"before": "", "after": "submitted"}),
        ("appeal.dispatch", {"before": "submitted", "after": "dispatched"}),
    ]
    # The intake is received with no unit yet, and dispatched to the rule's unit, within 20 minutes.
    day = KpiDaily.objects.get(day=MON, unit_id=None)
    assert (day.received, day.emergency_received, day.dispatched) == (1, 1, 0)
    unit_day = KpiDaily.objects.get(day=MON, unit_id=world.huafu_office.pk)
    assert (unit_day.received, unit_day.dispatched, unit_day.emergency_dispatched_in_20min) == (0, 1, 1)

    live = rows_now()
    delete_rollups()
    kpis_rebuild()
    assert rows_now() == live


def test_deferred_increments_are_written_once_at_the_end_and_not_at_all_on_an_error(world):
    area = Area.objects.get(code="440304009002")
    key = kpis.RowKey(MON, None, area.pk, area.path, None)
    other = key._replace(day=TUE)
    with transaction.atomic(), kpis.deferred():
        live._add(key, {"received": 1})
        live._add(key, {"received": 1, "rejected": 1})  # the same row twice: summed before the upsert
        live._add(other, {"received": 1})
        with kpis.deferred():  # joins the outer one
            live._add(key, {"closed": 1})
        assert not KpiDaily.objects.exists()  # nothing written yet
    rows = {r.day: r for r in KpiDaily.objects.all()}
    assert (rows[MON].received, rows[MON].rejected, rows[MON].closed, rows[TUE].received) == (2, 1, 1, 1)
    month = KpiMonthly.objects.get()
    assert (month.month, month.received, month.rejected, month.closed) == (MON.replace(day=1), 3, 1, 1)
    area_month = KpiAreaMonthly.objects.get()
    assert (area_month.area_id, area_month.received, area_month.rejected) == (area.pk, 3, 1)
    assert dict(KpiAreaDaily.objects.values_list("day", "received")) == {MON: 2, TUE: 1}

    with pytest.raises(RuntimeError), transaction.atomic(), kpis.deferred():
        live._add(key, {"received": 5})
        raise RuntimeError("the action failed")
    assert KpiDaily.objects.get(day=MON).received == 2


# --- the upsert under concurrency -------------------------------------------------------------------------------
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer with BEGIN IMMEDIATE: two inserts of one row cannot race there",
)
def test_two_transactions_creating_the_same_row_at_once_add_up(transactional_db):
    area = Area.objects.get(code="440304009002")
    key = kpis.RowKey(MON, None, area.pk, area.path, None)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with transaction.atomic():
                live._add(key, {"received": 1, "rejected": 1})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        live._add(key, {"received": 1})  # creates the row, not committed yet
        thread = threading.Thread(target=second)
        thread.start()
        # Commit only once the second writer waits on the unique index with its own insert.
        with connections["default"].cursor() as cursor:
            for _ in range(600):  # up to 30 s: the second thread connects slowly on a loaded machine
                cursor.execute(
                    "SELECT pg_stat_clear_snapshot()"
                )  # the view is cached per transaction otherwise
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the second writer never waited on the row")
    thread.join()
    assert errors == []
    assert list(KpiDaily.objects.values_list("received", "rejected")) == [(2, 1)]


# --- the monthly level ------------------------------------------------------------------------------------------
def test_a_months_row_is_the_sum_of_its_days_and_long_periods_read_it(world, clock):
    """Events on 27 Feb, 2 Mar and 1 Apr: every period gives the same totals as the days summed one by one,
    whether it is read from whole months, from days, or from both."""
    for day in (date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 31), date(2026, 4, 1)):
        clock.set(at(day, 10))
        dispatch(world, submit(world), world.lina_unit)
    by_month: dict[date, int] = {}
    for day, n in KpiDaily.objects.values_list("day", "dispatched"):
        by_month[day.replace(day=1)] = by_month.get(day.replace(day=1), 0) + n
    assert dict(KpiMonthly.objects.values_list("month", "dispatched")) == by_month
    chenjing = world["chenjing"]

    def dispatched(date_from: date, date_to: date, group_by: str = "none") -> dict:
        rows = kpi_query(user=chenjing, date_from=date_from, date_to=date_to, group_by=group_by).rows
        return {r["key"]: r["dispatched"] for r in rows}

    assert dispatched(date(2026, 2, 1), date(2026, 4, 30)) == {None: 4}  # three whole months
    assert dispatched(date(2026, 2, 27), date(2026, 4, 1)) == {None: 4}  # days, March, a day
    assert dispatched(date(2026, 2, 28), date(2026, 3, 31)) == {None: 2}  # a day, March
    assert dispatched(date(2026, 3, 3), date(2026, 4, 1)) == {None: 2}  # days only
    assert dispatched(date(2026, 2, 15), date(2026, 4, 15), "month") == {
        "2026-02": 1,
        "2026-03": 2,
        "2026-04": 1,
    }
    assert sum(dispatched(date(2026, 2, 1), date(2026, 4, 30), "day").values()) == 4

    # A report of several groupings (one GROUPING SETS statement per rollup table on PostgreSQL) gives the rows of
    # the single queries, over whole months, edge days or both; the total here is its own grouping set.
    wanted = ["none", "month", "district", "community", "unit", "day"]
    for date_from, date_to in [(date(2026, 2, 1), date(2026, 4, 30)), (date(2026, 2, 27), date(2026, 4, 1))]:
        kw = {"date_from": date_from, "date_to": date_to, "min_volume": 0}
        report = kpis.kpi_report(user=chenjing, group_bys=wanted, **kw)
        assert {g: report[g].rows for g in wanted} == {
            g: kpi_query(user=chenjing, group_by=g, **kw).rows for g in wanted
        }


def test_a_long_period_reads_monthly_rows_and_a_short_one_daily_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dispatch(world, submit(world), world.lina_unit)
    year = {"date_from": date(2025, 3, 1), "date_to": date(2026, 2, 28)}

    def tables(user, **kw) -> set[str]:
        with CaptureQueriesContext(connection) as read:
            kpi_query(user=user, **kw)
        sql = " ".join(q["sql"] for q in read.captured_queries)
        return {
            t
            for t in ("kpidaily", "kpimonthly", "kpiareadaily", "kpiareamonthly")
            if f"appeals_{t} " in sql or f'appeals_{t}"' in sql
        }

    # Every grouping but the unit ranking reads the levels without the unit.
    assert tables(world["chenjing"], **year) == {"kpiareamonthly"}
    assert tables(world["chenjing"], group_by="community", **year) == {"kpiareamonthly"}
    assert tables(world["chenjing"], group_by="unit", **year) == {"kpimonthly"}
    assert tables(world["chenjing"], group_by="unit", date_from=MON, date_to=WED) == {"kpidaily"}
    assert tables(world["chenjing"], date_from=MON, date_to=WED) == {"kpiareadaily"}


def test_the_levels_without_the_unit_are_the_sums_over_units_and_answer_as_the_unit_levels_would(
    world, clock
):
    """Appeals in two communities, one more of another street and one located only to 福田区, dispatched to three
    units over three months: each area row is the sum of its key's rows over units, and every period, place and
    grouping gives the same answer from the area levels as from the unit levels."""
    from shequ.appeals.kpis import reports as kpi_module

    huafu = world.huafu_community
    other = Area.objects.filter(parent=huafu.parent).exclude(pk=huafu.pk).first()
    elsewhere = Area.objects.get(code="440304009002")
    places = [huafu, other, elsewhere, huafu.parent.parent]
    units = [world.lina_unit, world.cg, world.huafu_office]
    for i, day in enumerate((date(2026, 1, 30), date(2026, 2, 3), date(2026, 3, 2), date(2026, 3, 31))):
        clock.set(at(day, 10))
        for j, place in enumerate(places[: i + 1]):
            dispatch(world, submit(world, area=place), units[(i + j) % len(units)])
    for unit_level, area_level, period in (
        (KpiDaily, KpiAreaDaily, "day"),
        (KpiMonthly, KpiAreaMonthly, "month"),
    ):
        expected: dict[tuple, tuple] = {}
        for *key, received, dispatched in unit_level.objects.values_list(
            period, "area_id", "area_path", "category_id", "received", "dispatched"
        ):
            before = expected.get(tuple(key), (0, 0))
            expected[tuple(key)] = (before[0] + received, before[1] + dispatched)
        got = {
            tuple(key): (received, dispatched)
            for *key, received, dispatched in area_level.objects.values_list(
                period, "area_id", "area_path", "category_id", "received", "dispatched"
            )
        }
        assert got == expected and len(got) < unit_level.objects.count()

    chenjing = world["chenjing"]
    periods, redirected = kpi_module._periods, []

    def unit_levels(*args, **kwargs):  # the same read, from the levels with the unit
        redirected.append(kwargs["by_area"])
        return periods(*args, **{**kwargs, "by_area": False})

    for date_from, date_to in [(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 1, 30), date(2026, 3, 31))]:
        for group_by in ("none", "district", "street", "community", "category", "month", "day"):
            for area in (None, huafu.parent.parent.code, huafu.parent.code, huafu.code):
                kw = {"date_from": date_from, "date_to": date_to, "group_by": group_by, "min_volume": 0}
                from_area_levels = kpi_query(user=chenjing, area=area, **kw).rows
                with pytest.MonkeyPatch.context() as mp:
                    mp.setattr(kpi_module, "_periods", unit_levels)
                    from_unit_levels = kpi_query(user=chenjing, area=area, **kw).rows
                assert from_area_levels == from_unit_levels, (group_by, area, date_from)
    assert redirected and all(redirected)  # every read above came from the area levels until redirected
    year = kpi_query(user=chenjing, date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)).rows[0]
    assert (year["received"], year["dispatched"]) == (10, 10)


def test_a_report_of_several_groupings_equals_the_single_queries_with_fewer_reads(world, huafu_week):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chenjing, wanted = world["chenjing"], ["none", "district", "street", "category", "unit", "day"]
    kw = {"date_from": MON, "date_to": WED, "min_volume": 0}
    single = {g: kpi_query(user=chenjing, group_by=g, **kw).rows for g in wanted}
    with CaptureQueriesContext(connection) as report_queries:
        report = kpis.kpi_report(user=chenjing, group_bys=wanted, **kw)
    assert {g: report[g].rows for g in wanted} == single
    rollup_reads = [q for q in report_queries.captured_queries if "appeals_kpi" in q["sql"]]
    if connection.vendor == "postgresql":
        # One GROUPING SETS statement per level: with no whole month inside, every grouping but the unit ranking
        # reads the same daily rows without the unit, the ranking those with it.
        assert len(rollup_reads) == 2
    else:
        # One read per distinct grouping: district and street share the community paths' read, and the total is
        # folded from the categories' read.
        assert len(rollup_reads) == 4
