"""/api/v1/appeals: the scoped list with its filters and a constant number of queries, the detail with its
timeline and available actions, every action by name, and the permission matrix on all three."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals import services
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal
from shequ.appeals.workflow import ACTIONS
from shequ.audit.models import AuditEntry

from . import fixtures
from .fixtures import bring_to, submit

# The shared fixtures, bound by assignment rather than imported by name: test parameters of the same name would
# otherwise read as redefinitions of an unused import (ruff F811). `clock` is autouse: time is fixed and moved.
clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

URL = "/api/v1/appeals"


def act(client, appeal: Appeal, action: str, body: dict | None = None):
    return client.post(f"{URL}/{appeal.pk}/actions/{action}", body or {}, content_type="application/json")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


@pytest.fixture
def nobody(make_user):
    return make_user("nobody")


# --- the permission matrix -----------------------------------------------------------------------------------------
class TestAppealEndpoints(PermissionMatrixMixin):
    def test_list_permission_matrix(self, client, world, nobody):
        submit(world)
        self.assert_permission_matrix(client, url=URL, in_scope=world["lina"], no_role=nobody)

    def test_admins_without_appeal_powers_may_not_list(self, client, world):
        for username in ("zhouyu", "wujun", "zhaomin"):
            sign_in(client, world[username])
            assert client.get(URL).status_code == 403

    def test_detail_permission_matrix(self, client, world, nobody):
        appeal = submit(world)
        self.assert_permission_matrix(
            client,
            url=f"{URL}/{appeal.pk}",
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=nobody,
            missing_url=f"{URL}/999999",
        )

    def test_action_permission_matrix(self, client, world, nobody):
        appeal = bring_to(world, submit(world), Status.DISPATCHED)
        self.assert_permission_matrix(
            client,
            method="post",
            url=f"{URL}/{appeal.pk}/actions/supervise",
            data={"comment": "请尽快办理并答复"},
            in_scope=world["chenjing"],
            out_of_scope=world["wangqiang"],
            no_role=nobody,
            missing_url=f"{URL}/999999/actions/supervise",
        )
        assert appeal.events.filter(action="supervise").count() == 1  # only the in-scope call acted

    def test_a_handler_acts_only_for_his_unit(self, client, world, nobody):
        appeal = bring_to(world, submit(world), Status.DISPATCHED)
        self.assert_permission_matrix(
            client,
            method="post",
            url=f"{URL}/{appeal.pk}/actions/sign_for",
            in_scope=world["lina"],
            out_of_scope=world["wangqiang"],
            no_role=nobody,
            missing_url=f"{URL}/999999/actions/sign_for",
        )


def test_the_requester_sees_his_own_appeal_and_nobody_elses(client, world):
    mine = submit(world)
    theirs = submit(world, by="sunli", channel="hotline")
    sign_in(client, world["zhangwei"])
    assert ids(client.get(URL)) == [mine.pk]
    assert client.get(f"{URL}/{mine.pk}").status_code == 200
    assert client.get(f"{URL}/{theirs.pk}").status_code == 404


def test_a_user_who_sees_but_may_not_act_gets_403_and_the_refusal_is_audited(client, world):
    appeal = submit(world)
    sign_in(client, world["lina"])  # sees appeals of 华富街道, but does not dispatch
    r = act(client, appeal, "dispatch", {"unit": world.lina_unit.code})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    entry = AuditEntry.objects.filter(action="appeal.refused", object_id=str(appeal.pk)).get()
    assert entry.actor_username == "lina" and entry.changes["action"] == {"after": "dispatch"}


def test_an_action_in_the_wrong_state_is_409(client, world):
    appeal = bring_to(world, submit(world), Status.REPLIED)
    sign_in(client, world["sunli"])
    r = act(client, appeal, "dispatch", {"unit": world.cg.code})
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert AuditEntry.objects.filter(action="appeal.refused", object_id=str(appeal.pk)).count() == 1


def test_an_unknown_action_is_404_and_a_missing_parameter_is_400(client, world):
    appeal = submit(world)
    sign_in(client, world["sunli"])
    assert act(client, appeal, "delete").status_code == 404
    r = act(client, appeal, "dispatch", {})
    assert r.status_code == 400 and r.json()["fields"] == {"unit": "required"}
    r = act(client, appeal, "dispatch", {"unit": "no-such-unit"})
    assert r.status_code == 400 and "unit" in r.json()["fields"]
    appeal.refresh_from_db()
    assert appeal.status == Status.SUBMITTED


# --- every action by name ------------------------------------------------------------------------------------------
def _prepare(world, action: str):
    """(appeal, actor, body, expected status) for one action, the appeal brought there by the real services."""
    w = world
    fresh = submit(w)
    if action == "dispatch":
        return fresh, "sunli", {"unit": w.lina_unit.code, "co_units": [w.cg.code]}, Status.DISPATCHED
    if action == "raise_emergency":
        return fresh, "sunli", {"reason": "回访确认有人受伤", "kind": "fall_injury"}, Status.SUBMITTED
    if action == "lower_emergency":
        services.appeal_raise_emergency(actor=w["sunli"], appeal=fresh)
        return fresh, "sunli", {"reason": "回访确认只是垃圾问题"}, Status.SUBMITTED
    if action == "reject":
        return fresh, "sunli", {"reason": "无实际诉求内容"}, Status.REJECTED
    if action == "categorize":  # no rule for noise in the test world: the appeal waits with its new category
        return fresh, "sunli", {"category": "noise", "note": "实为噪音扰民"}, Status.SUBMITTED
    if action == "merge":
        first = bring_to(w, submit(w), Status.DISPATCHED)
        return fresh, "sunli", {"into": first.pk, "note": "重复诉求"}, Status.MERGED
    if action == "co_reply":
        a = bring_to(w, fresh, Status.SIGNED_FOR, lead="liuyang", co=[w.lina_unit])
        return a, "lina", {"note": "社区已配合现场核实"}, Status.SIGNED_FOR
    if action in ("sign_for", "return", "reassign"):
        a = bring_to(w, fresh, Status.DISPATCHED)
        body = {
            "sign_for": {},
            "return": {"reason": "不属于本社区范围"},
            "reassign": {"unit": w.cg.code, "note": "改派城管"},
        }[action]
        who = "sunli" if action == "reassign" else "lina"
        to = {"sign_for": Status.SIGNED_FOR, "return": Status.SUBMITTED, "reassign": Status.DISPATCHED}[
            action
        ]
        return a, who, body, to
    if action == "start":
        return bring_to(w, fresh, Status.SIGNED_FOR), "lina", {}, Status.IN_PROGRESS
    if action in ("contact", "reply", "request_extension", "decide_extension", "supervise"):
        a = bring_to(w, fresh, Status.IN_PROGRESS)
        if action == "decide_extension":
            services.appeal_request_extension(actor=w["lina"], appeal=a, days=3, reason="等待物业配合")
        who, body = {
            "contact": ("lina", {"note": "已电话联系居民"}),
            "reply": ("lina", {"text": "已清理完毕，并增加清运频次"}),
            "request_extension": ("lina", {"days": 3, "reason": "等待物业配合"}),
            "decide_extension": ("sunli", {"approve": True}),
            "supervise": ("chenjing", {"comment": "请本周内办结", "level": "high"}),
        }[action]
        return a, who, body, Status.REPLIED if action == "reply" else Status.IN_PROGRESS
    if action in ("evaluate", "close"):
        a = bring_to(w, fresh, Status.REPLIED)
        if action == "evaluate":
            return a, "zhangwei", {"rating": 5, "comment": "满意"}, Status.CLOSED
        return a, "sunli", {"note": "电话回访后办结"}, Status.CLOSED
    if action == "reopen":
        return bring_to(w, fresh, Status.CLOSED), "sunli", {"reason": "回访发现问题反弹"}, Status.DISPATCHED
    if action in ("dispute_rating", "decide_rating_dispute"):
        a = bring_to(w, fresh, Status.REPLIED)
        a = services.appeal_evaluate(actor=w["zhangwei"], appeal=a, rating=1)
        if action == "dispute_rating":
            return a, "lina", {"reason": "居民反映的问题不属于本次诉求范围"}, Status.DISPATCHED
        services.appeal_dispute_rating(actor=w["lina"], appeal=a, reason="居民反映的问题不属于本次诉求范围")
        return a, "sunli", {"uphold": True}, Status.DISPATCHED
    raise AssertionError(action)


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_can_be_taken_through_the_api(client, world, action):
    appeal, username, body, expected = _prepare(world, action)
    sign_in(client, world[username])
    r = act(client, appeal, action, body)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer["id"] == appeal.pk and answer["status"] == expected
    assert action in [e["action"] for e in answer["events"]]
    assert AuditEntry.objects.filter(
        action=f"appeal.{action}", object_id=str(appeal.pk), actor_username=username
    ).exists()


# --- detail --------------------------------------------------------------------------------------------------------
def test_the_detail_shows_the_timeline_and_what_the_user_may_do_next(client, world):
    appeal = submit(world)
    sign_in(client, world["sunli"])
    body = client.get(f"{URL}/{appeal.pk}").json()
    assert [e["action"] for e in body["events"]] == ["submit"]
    assert set(body["actions"]) == {
        "categorize",
        "dispatch",
        "reassign",
        "supervise",
        "merge",
        "reject",
        "raise_emergency",
    }

    services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=world.lina_unit)
    sign_in(client, world["lina"])
    body = client.get(f"{URL}/{appeal.pk}").json()
    assert body["status"] == "dispatched" and body["lead_unit"] == world.lina_unit.code
    assert {"sign_for", "return"} <= set(body["actions"]) and "dispatch" not in body["actions"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("submit", "", "submitted"),
        ("dispatch", "submitted", "dispatched"),
    ]
    assert body["deadline_state"] == "green" and body["reply_due"] is not None


def test_the_requester_sees_only_the_public_timeline(client, world):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS)
    services.appeal_supervise(actor=world["sunli"], appeal=appeal, comment="内部督办：注意核实物业责任")
    services.appeal_reply(actor=world["lina"], appeal=appeal, text="已清理完毕，并增加清运频次")
    sign_in(client, world["zhangwei"])
    body = client.get(f"{URL}/{appeal.pk}").json()
    assert "supervise" not in [e["action"] for e in body["events"]]
    assert body["actions"] == ["evaluate"]

    # Acting does not open the internal timeline either.
    r = act(client, appeal, "evaluate", {"rating": 4})
    assert r.status_code == 200
    answer = r.json()
    assert answer["status"] == "closed"
    assert "supervise" not in [e["action"] for e in answer["events"]]
    assert "内部督办" not in r.content.decode()


def test_a_unit_that_returns_a_misdirected_appeal_gets_the_result(client, world):
    appeal = submit(world)  # in 华富街道, 福田区
    services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=world.yuehai_office)
    sign_in(client, world["wangqiang"])  # 粤海街道, 南山区: sees it only while his unit holds it
    r = act(client, appeal, "return", {"reason": "不在粤海街道辖区"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted" and r.json()["events"] == []
    assert client.get(f"{URL}/{appeal.pk}").status_code == 404  # and no longer afterwards


# --- list ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def spread(world):
    """Appeals across places, categories and states."""
    submitted = submit(world)
    dispatched = bring_to(
        world, submit(world, category="street_vending", text="小区门口有流动摊贩占道经营"), "dispatched"
    )
    yuehai = bring_to(
        world,
        submit(
            world, by="sunli", channel="hotline", area=world.yuehai_community, text="粤海街道路边垃圾堆积"
        ),
        "replied",
        lead="wangqiang",
    )
    returned = bring_to(world, submit(world, text="楼下绿化带有人倾倒建筑垃圾"), "dispatched")
    services.appeal_return(actor=world["lina"], appeal=returned, reason="应由城管处理")
    return {"submitted": submitted, "dispatched": dispatched, "yuehai": yuehai, "returned": returned}


def test_the_list_is_scoped_to_what_the_user_may_see(client, world, spread):
    s = spread
    everything = {a.pk for a in s.values()}
    sign_in(client, world["sunli"])
    assert set(ids(client.get(URL))) == everything
    sign_in(client, world["lina"])
    assert set(ids(client.get(URL))) == everything - {s["yuehai"].pk}
    sign_in(client, world["wangqiang"])
    assert ids(client.get(URL)) == [s["yuehai"].pk]
    sign_in(client, world["zhangwei"])
    assert set(ids(client.get(URL))) == everything - {s["yuehai"].pk}  # his own


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "dispatched"}, ["dispatched"]),
        ({"status": "replied"}, ["yuehai"]),
        ({"category": "sanitation"}, ["submitted", "yuehai", "returned"]),
        ({"category": "city_management"}, ["submitted", "dispatched", "yuehai", "returned"]),  # with children
        ({"category": "street_vending"}, ["dispatched"]),
        ({"area": "440305"}, ["yuehai"]),
        ({"area": "440304"}, ["submitted", "dispatched", "returned"]),
        ({"queue": "to_dispatch"}, ["submitted", "returned"]),
        ({"queue": "returned"}, ["returned"]),
        ({"queue": "to_sign"}, ["dispatched"]),
        ({"queue": "replied"}, ["yuehai"]),
        ({"q": "流动摊贩"}, ["dispatched"]),
        ({"status": "submitted", "area": "440304", "q": "垃圾"}, ["submitted", "returned"]),
    ],
)
def test_the_list_filters(client, world, spread, params, expected):
    sign_in(client, world["sunli"])
    assert sorted(ids(client.get(URL, params))) == sorted(spread[name].pk for name in expected)


def test_the_list_finds_an_appeal_by_its_number(client, world, spread):
    sign_in(client, world["sunli"])
    assert ids(client.get(URL, {"q": spread["yuehai"].number})) == [spread["yuehai"].pk]


@pytest.mark.parametrize("params", [{"category": "nope"}, {"area": "000000"}, {"queue": "nope"}])
def test_an_unknown_filter_value_is_404(client, world, params):
    sign_in(client, world["sunli"])
    assert client.get(URL, params).status_code == 404


def test_the_list_masks_phones_and_is_newest_first(client, world, clock):
    older = submit(world)
    clock.advance(minutes=5)
    newer = submit(world)
    sign_in(client, world["lina"])
    rows = client.get(URL).json()["items"]
    assert [r["id"] for r in rows] == [newer.pk, older.pk]
    assert {r["contact_phone"] for r in rows} == {"139****5678"}


def test_the_list_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(3):
        bring_to(world, submit(world), Status.DISPATCHED)
    sign_in(client, world["lina"])
    with django_assert_max_num_queries(12) as few:
        assert len(ids(client.get(URL))) == 3
    for i in range(27):
        appeal = submit(world, category=["sanitation", "greening"][i % 2])
        if i % 3 == 0:
            bring_to(world, appeal, Status.DISPATCHED, lead="liuyang")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids(client.get(URL, {"limit": 30}))) == 30
