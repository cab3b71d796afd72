"""The staff console a dispatcher and a handler work in all day (issue 21): the page asks the workflow (STYLE.md §11),
categorising and re-dispatching are separate choices, lists say the deadline in words, the home counts the queues."""

from __future__ import annotations

import re
from datetime import date

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals import services
from shequ.appeals.choices import Status
from shequ.appeals.models import Appeal, Category, ResponsibilityRule
from shequ.appeals.workflow import ACTIONS

from . import fixtures
from .fixtures import World, bring_to, submit

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

NOT_WORKFLOW = {"reveal", "call"}  # forms of the detail page that are not workflow actions


def offered(client, appeal: Appeal) -> set[str]:
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    found = set(re.findall(rf'action="/console/appeals/{appeal.pk}/([a-z_]+)/"', page))
    return found - NOT_WORKFLOW


def form_for(action: str, w: World, other: Appeal) -> dict:
    """What a person would fill in on the action's form: valid input, so that only the workflow decides."""
    return {
        "categorize": {"category": "noise", "redispatch": "0"},
        "dispatch": {"unit": w.cg.code},
        "reassign": {"unit": w.huafu_office.code},
        "request_extension": {"days": "3"},
        "decide_extension": {"approve": "1"},
        "decide_rating_dispute": {"uphold": "1"},
        "evaluate": {"rating": "5"},
        "merge": {"into": str(other.pk)},
    }.get(action, {}) | {"note": "已核实情况，按规定处理，记录在案。"}


def _bad_rating(w: World) -> Appeal:
    a = bring_to(w, submit(w), Status.REPLIED, lead="liuyang")
    return services.appeal_evaluate(actor=w["zhangwei"], appeal=a, rating=1)


def _extension_waiting(w: World) -> Appeal:
    a = bring_to(w, submit(w), Status.IN_PROGRESS, lead="liuyang")
    services.appeal_request_extension(actor=w["liuyang"], appeal=a, days=3, reason="需要协调施工单位")
    return a


def _dispute_waiting(w: World) -> Appeal:
    a = _bad_rating(w)
    services.appeal_dispute_rating(actor=w["liuyang"], appeal=a, reason="评价与诉求内容无关，属于恶意差评")
    return a


SCENARIOS = {
    "waiting": (lambda w: submit(w), "sunli"),
    "dispatched": (lambda w: bring_to(w, submit(w), Status.DISPATCHED, lead="liuyang"), "liuyang"),
    "in progress": (lambda w: bring_to(w, submit(w), Status.IN_PROGRESS, lead="liuyang"), "liuyang"),
    "in progress, dispatcher": (
        lambda w: bring_to(w, submit(w), Status.IN_PROGRESS, lead="liuyang"),
        "sunli",
    ),
    "extension waiting, handler": (_extension_waiting, "liuyang"),
    "extension waiting, dispatcher": (_extension_waiting, "sunli"),
    "replied": (lambda w: bring_to(w, submit(w), Status.REPLIED, lead="liuyang"), "sunli"),
    "closed with a good rating": (lambda w: bring_to(w, submit(w), Status.CLOSED, lead="liuyang"), "liuyang"),
    "bad rating, handler": (_bad_rating, "liuyang"),
    "dispute waiting, dispatcher": (_dispute_waiting, "sunli"),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_offered_action_succeeds_and_every_other_is_refused(client, world, scenario):
    build, username = SCENARIOS[scenario]
    other = submit(world, text="另一处垃圾堆积需要清理")
    sign_in(client, world[username])
    shown = offered(client, build(world))
    refused_on = build(world)
    for action in ACTIONS:
        appeal = build(world) if action in shown else refused_on
        before = appeal.events.count()
        r = client.post(f"/console/appeals/{appeal.pk}/{action}/", form_for(action, world, other))
        assert r.status_code == 302
        took = appeal.events.count() > before
        assert took == (action in shown), (scenario, username, action, sorted(shown))


def test_a_closed_appeal_with_a_good_rating_offers_no_rating_dispute(client, world):
    appeal = bring_to(world, submit(world), Status.CLOSED, lead="liuyang")
    sign_in(client, world["liuyang"])
    assert "dispute_rating" not in offered(client, appeal)
    assert "dispute_rating" in offered(client, _bad_rating(world))


def test_the_api_hints_follow_the_guards_too(client, world):
    appeal = _extension_waiting(world)
    sign_in(client, world["liuyang"])
    assert "request_extension" not in client.get(f"/api/v1/appeals/{appeal.pk}").json()["actions"]


# --- 分类 and 派单: two explicit choices (item 3) ---------------------------------------------------------------
def _rule(category: str, area, unit) -> None:
    ResponsibilityRule.objects.create(
        category=Category.objects.get(code=category),
        area=area,
        lead_unit=unit,
        effective_from=date(2020, 1, 1),
    )


def test_categorising_alone_does_not_move_the_appeal_and_says_so(client, world):
    _rule("noise", world.huafu_community.parent, world.huafu_office)
    appeal = bring_to(world, submit(world), Status.DISPATCHED, lead="liuyang")
    sign_in(client, world["sunli"])
    r = client.post(
        f"/console/appeals/{appeal.pk}/categorize/", {"category": "noise", "redispatch": "0"}, follow=True
    )
    appeal.refresh_from_db()
    assert appeal.category.code == "noise" and appeal.lead_unit == world.cg
    page = r.content.decode()
    assert f"已分类为{appeal.category.name}" in page and "已按职责清单派给" not in page


def test_categorising_and_re_dispatching_names_the_unit_the_list_chose(client, world):
    _rule("noise", world.huafu_community.parent, world.huafu_office)
    appeal = bring_to(world, submit(world), Status.DISPATCHED, lead="liuyang")
    sign_in(client, world["sunli"])
    r = client.post(
        f"/console/appeals/{appeal.pk}/categorize/", {"category": "noise", "redispatch": "1"}, follow=True
    )
    appeal.refresh_from_db()
    assert appeal.lead_unit == world.huafu_office
    assert f"已按职责清单派给{world.huafu_office.name}" in r.content.decode()


def test_re_dispatching_without_a_rule_says_the_appeal_stays(client, world):
    appeal = bring_to(world, submit(world), Status.DISPATCHED, lead="liuyang")
    sign_in(client, world["sunli"])
    r = client.post(
        f"/console/appeals/{appeal.pk}/categorize/", {"category": "noise", "redispatch": "1"}, follow=True
    )
    appeal.refresh_from_db()
    assert appeal.lead_unit == world.cg
    assert "职责清单没有" in r.content.decode()


def test_the_category_list_starts_on_the_suggestion(client, world):
    appeal = submit(world, text="楼上每晚装修噪音很大，吵得睡不着", category="sanitation")
    sign_in(client, world["sunli"])
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    selected = re.search(r'<select id="category-new".*?</select>', page, re.S).group(0)
    chosen = re.findall(r'<option value="([a-z_]+)" selected>', selected)
    assert chosen and chosen[0] != "sanitation", chosen
    assert "分类并按职责清单重新派单" in page


# --- the lists (item 5) ------------------------------------------------------------------------------------------
def test_the_list_shows_when_it_came_in_and_the_deadline_in_words_and_colour(client, world, clock):
    appeal = bring_to(world, submit(world), Status.DISPATCHED, lead="liuyang")
    sign_in(client, world["sunli"])
    page = client.get("/console/appeals/", {"queue": "to_sign"}).content.decode()
    assert appeal.created_at.astimezone(fixtures.SHANGHAI).strftime("%m-%d %H:%M") in page
    assert re.search(r'<span class="badge text-bg-success">还剩 \d+ 天</span>', page), page
    assert f'href="/console/appeals/{appeal.pk}/">{appeal.number}</a>' in page
    clock.advance(days=30)
    services.appeal_scan_deadlines(now=clock.now)
    sign_in(client, world["sunli"])  # a staff session ends after a while idle
    page = client.get("/console/appeals/", {"queue": "overdue"}).content.decode()
    assert re.search(r'<span class="badge text-bg-danger">已超期 \d+ 天</span>', page), page


def test_an_emergency_waiting_for_dispatch_says_how_long_is_left_to_dispatch(client, world, clock):
    submit(world, text="楼道里煤气泄漏了，味道很浓")
    sign_in(client, world["sunli"])
    assert "派单还剩 20 分钟" in client.get("/console/appeals/", {"queue": "to_dispatch"}).content.decode()
    clock.advance(hours=2)
    sign_in(client, world["sunli"])
    assert "派单已超时 1 小时" in client.get("/console/appeals/", {"queue": "to_dispatch"}).content.decode()


def test_appeals_with_an_open_possible_duplicate_are_flagged_in_the_queue(client, world):
    from shequ.dispatch.models import DuplicateCandidate

    older, newer, alone = submit(world), submit(world), submit(world, text="路灯坏了好几天没人修")
    DuplicateCandidate.objects.create(appeal=newer, candidate=older, score=0.9, text_score=0.9, hours_apart=1)
    sign_in(client, world["sunli"])
    page = client.get("/console/appeals/", {"queue": "to_dispatch"}).content.decode()
    cells = re.findall(
        r'<td class="text-nowrap"><a href="/console/appeals/\d+/">(\w+)</a>(.*?)</td>', page, re.S
    )
    rows = dict(cells)
    assert "疑似重复" in rows[older.number] and "疑似重复" in rows[newer.number]
    assert "疑似重复" not in rows[alone.number]


# --- the console home counts the to-do queues (item 1) -----------------------------------------------------------
def _appeal_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "appeals_appeal"' in q["sql"]]


def test_the_home_counts_a_dispatchers_queues_in_one_query(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submit(world)
    bring_to(world, submit(world), Status.DISPATCHED, lead="liuyang")
    _extension_waiting(world)
    sign_in(client, world["sunli"])
    with CaptureQueriesContext(connection) as few:
        page = client.get("/console/").content.decode()
    assert re.search(r'>1</span><span class="d-block text-body">待派单</span>', page), page
    assert re.search(r'>1</span><span class="d-block text-body">延期待审批</span>', page)
    assert "/console/appeals/?queue=to_dispatch" in page
    for _ in range(5):
        submit(world)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/console/").content.decode()
    assert re.search(r'>6</span><span class="d-block text-body">待派单</span>', page)
    assert len(_appeal_queries(many.captured_queries)) == len(_appeal_queries(few.captured_queries)) == 1
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_handler_counts_only_what_his_unit_leads_and_the_link_lists_the_same(client, world):
    mine = bring_to(world, submit(world), Status.DISPATCHED, lead="liuyang")
    bring_to(world, submit(world), Status.DISPATCHED, lead="lina")  # in his district, but another unit's
    sign_in(client, world["liuyang"])
    page = client.get("/console/").content.decode()
    assert re.search(r'>1</span><span class="d-block text-body">待签收</span>', page), page
    assert "待派单" not in page
    listed = client.get("/console/appeals/", {"queue": "to_sign", "units": "mine"}).content.decode()
    assert mine.number in listed
    assert len(re.findall(r'<a href="/console/appeals/\d+/">', listed)) == 1


def test_an_unknown_queue_says_so_and_shows_the_default_queue(client, world):
    sign_in(client, world["sunli"])
    r = client.get("/console/appeals/", {"queue": "nonsense"}, follow=True)
    assert r.status_code == 200 and r.redirect_chain[-1][0] == "/console/appeals/"
    assert "没有名为“nonsense”的队列" in r.content.decode()
    r = client.get("/console/appeals/", {"category": "no-such-category"}, follow=True)
    assert r.status_code == 200 and "筛选条件无效" in r.content.decode()


# --- extensions: pending on the page, an approval queue for dispatchers (item 6) --------------------------------
def test_a_requested_extension_shows_as_pending_and_waits_in_the_dispatchers_queue(client, world):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS, lead="liuyang")
    sign_in(client, world["liuyang"])
    r = client.post(
        f"/console/appeals/{appeal.pk}/request_extension/",
        {"days": "3", "note": "需要协调施工单位"},
        follow=True,
    )
    page = r.content.decode()
    assert "延期申请待审批" in page and "申请延期 3 个工作日" in page
    assert "request_extension" not in offered(client, appeal)  # one request at a time

    sign_in(client, world["sunli"])
    listed = client.get("/console/appeals/", {"queue": "extensions"}).content.decode()
    assert appeal.number in listed and "延期申请待审批" in listed
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert "批准延期" in page and "不予延期" in page


def test_the_dispatcher_approves_with_a_note_and_the_deadline_moves(client, world):
    appeal = _extension_waiting(world)
    due = appeal.reply_due
    sign_in(client, world["sunli"])
    r = client.post(
        f"/console/appeals/{appeal.pk}/decide_extension/", {"approve": "1", "note": "同意"}, follow=True
    )
    appeal.refresh_from_db()
    assert appeal.reply_due > due and "已批准延期，新的答复期限为" in r.content.decode()
    assert appeal.extensions.get().status == "approved"
    assert appeal.number not in client.get("/console/appeals/", {"queue": "extensions"}).content.decode()


def test_the_dispatcher_refuses_with_a_note_and_the_deadline_stays(client, world):
    appeal = _extension_waiting(world)
    due = appeal.reply_due
    sign_in(client, world["sunli"])
    r = client.post(
        f"/console/appeals/{appeal.pk}/decide_extension/", {"approve": "0", "note": "请按期办结"}, follow=True
    )
    appeal.refresh_from_db()
    assert appeal.reply_due == due and "已不予延期" in r.content.decode()
    ext = appeal.extensions.get()
    assert ext.status == "refused"
    assert appeal.events.get(action="decide_extension").note == "请按期办结"


# --- calling the requester through a privacy number (item 7) ---------------------------------------------------
def test_the_handler_calls_the_requester_through_the_demo_bridge_then_records_the_contact(client, world):
    from shequ.accounts.models import OutboxMessage
    from shequ.audit.models import AuditEntry

    appeal = bring_to(world, submit(world, phone="13800000001"), Status.SIGNED_FOR, lead="liuyang")
    sign_in(client, world["liuyang"])
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert "通过隐私号呼叫" in page and "138****0001" in page
    r = client.post(f"/console/appeals/{appeal.pk}/call/", follow=True)
    page = r.content.decode()
    number = re.search(r"虚拟号码 (0755-8\d{3}-\d{4})", page).group(1)
    assert "演示通道：不会真实拨打" in page and "13800000001" not in page
    event = appeal.events.get(action="call")
    assert not event.public and event.data["virtual_number"] == number and event.actor == world["liuyang"]
    entry = AuditEntry.objects.get(action="appeal.call", object_id=str(appeal.pk))
    assert "13800000001" not in str(entry.changes) and number in str(entry.changes)
    call = OutboxMessage.objects.get(channel="call")
    assert call.recipient == "13800000001" and call.recipient_masked == "138****0001"
    assert "呼叫诉求人" in page and f"虚拟号码 {number}" in page  # the timeline and the card say so

    client.post(f"/console/appeals/{appeal.pk}/contact/", {"note": "已电话联系，约定明天上门"})
    appeal.refresh_from_db()
    assert appeal.contacted_at is not None


def test_only_the_lead_units_handler_may_call(client, world, make_user):
    appeal = bring_to(world, submit(world), Status.IN_PROGRESS, lead="liuyang")
    sign_in(client, world["sunli"])
    assert "通过隐私号呼叫" not in client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    r = client.post(f"/console/appeals/{appeal.pk}/call/", follow=True)
    assert "只有主办单位的办理人员" in r.content.decode() and not appeal.events.filter(action="call").exists()
    sign_in(client, world["wangqiang"])  # another district: the appeal does not exist for him
    assert client.post(f"/console/appeals/{appeal.pk}/call/").status_code == 404
    waiting = bring_to(world, submit(world), Status.DISPATCHED, lead="liuyang")  # not signed for yet
    sign_in(client, world["liuyang"])
    client.post(f"/console/appeals/{waiting.pk}/call/")
    assert not waiting.events.filter(action="call").exists()
    assert client.post(f"/console/appeals/{appeal.pk}/call/").status_code == 302


def test_the_bridge_is_the_one_settings_name_and_a_demo_one_is_refused_where_demos_are_not_allowed(settings):
    from django.core.exceptions import ImproperlyConfigured

    from shequ.appeals import calls

    assert isinstance(calls.call_bridge(), calls.DemoBridge)
    settings.SHEQU_CALL_DEMO_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        calls.call_bridge()
    settings.SHEQU_CALL_BRIDGE = "shequ.appeals.calls.ProviderBridge"
    assert isinstance(calls.call_bridge(), calls.ProviderBridge)


# --- units and areas picked by name (item 4) ---------------------------------------------------------------------
def test_the_dispatcher_picks_the_unit_by_name(client, world):
    appeal = submit(world)
    sign_in(client, world["sunli"])
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert f'<option value="{world.cg.name}"></option>' in page and 'value="440304-CG"' not in page
    client.post(f"/console/appeals/{appeal.pk}/dispatch/", {"unit": world.cg.name, "note": "请处理"})
    appeal.refresh_from_db()
    assert appeal.lead_unit == world.cg
    other = submit(world)
    client.post("/console/appeals/bulk-dispatch/", {"ids": [other.pk], "unit": world.huafu_office.name})
    other.refresh_from_db()
    assert other.lead_unit == world.huafu_office


def test_the_area_filter_offers_names_in_the_users_areas_and_filters_by_name(client, world):
    here = submit(world)
    there = submit(
        world, by="sunli", channel="hotline", area=world.yuehai_community, text="粤海街道路边垃圾堆积"
    )
    sign_in(client, world["lina"])
    page = client.get("/console/appeals/", {"queue": ""}).content.decode()
    options = re.search(r'<datalist id="area-list">(.*?)</datalist>', page, re.S).group(1)
    assert world.huafu_community.name in options and world.yuehai_community.name not in options
    sign_in(client, world["sunli"])
    page = client.get("/console/appeals/", {"queue": "", "area": "华富街道"}).content.decode()
    assert here.number in page and there.number not in page


class TestCallPermissionMatrix(PermissionMatrixMixin):
    def test_call_permission_matrix(self, client, world, make_user):
        """Anonymous: sign in; no role: 403/404; the lead unit's handler: the call; another district: the 404 of a
        missing appeal; every refused call records nothing."""
        appeal = bring_to(world, submit(world, phone="13800000001"), Status.SIGNED_FOR, lead="liuyang")
        self.assert_permission_matrix(
            client,
            url=f"/console/appeals/{appeal.pk}/call/",
            method="post",
            multipart=True,
            in_scope=world["liuyang"],
            out_of_scope=world["wangqiang"],
            no_role=make_user("nobody-call"),
            missing_url="/console/appeals/999999/call/",
            ok=(302,),
            page=True,
        )
        assert appeal.events.filter(action="call").count() == 1  # only the in-scope handler's
