"""Issue 23: emergencies recognised as people write them, answers that make a report an emergency, the
dispatcher's one-click corrections, the emergency queue, the resident's notice and the dashboard's count.

The 24 + 24 texts below were written for this test from the issue's descriptions (SYNTHETIC, no citizen's words) and
are in neither urgency data file: an emergency in everyday words must be one, an everyday appeal that only mentions
a danger word must not.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals import emergency, services, urgency
from shequ.appeals.choices import EMERGENCY_DISPATCH_MINUTES, Status
from shequ.appeals.models import Appeal, Category, Event
from shequ.core.errors import ShequError

from . import fixtures
from .fixtures import bring_to

clock = fixtures.clock
world = fixtures.world

ISSUE_EMERGENCIES = [
    ("3栋的电梯停在两层之间，里面好像有人", "trapped"),
    ("我和孩子被关在电梯里了，按警铃没人应", "trapped"),
    ("小区门口的井盖不见了，刚才一个阿姨差点掉下去", "fall_injury"),
    ("对门的老人三天没见出门了，门口闻到一股怪味", "missing_unwell"),
    ("有个人站在我们楼楼顶的边上，好像要跳", "self_harm"),
    ("12楼有个小孩在窗户外面，家里好像没人", "fall_injury"),
    ("楼下饭店的煤气罐好像在漏，味道很冲", "gas"),
    ("隔壁单元冒出好大的烟，能看到火光", "fire"),
    ("路边的电线掉下来了，还在冒火花，有学生经过", "electricity"),
    ("地下车库进水很快，还有人在车里没出来", "water"),
    ("工地的脚手架往马路这边歪了，随时会倒", "structure"),
    ("楼下两个男的打起来了，一个拿着刀", "violence"),
    ("邻居老太太倒在楼道里叫不醒", "missing_unwell"),
    ("我爷爷有老年痴呆，早上出门到现在还没回来", "missing_unwell"),
    ("有个小孩掉进小区的水池里了", "water"),
    ("楼上在打孩子，孩子一直在哭喊救命", "violence"),
    ("电动车在楼道里充电烧起来了，楼道全是烟", "fire"),
    ("外墙瓷砖一块一块往下掉，下面就是人行道", "structure"),
    ("我女朋友说不想活了，现在联系不上", "self_harm"),
    ("有个工人从二楼摔下来了，头上在流血", "fall_injury"),
    ("燃气管道被挖断了，整条街都是味道", "gas"),
    ("配电箱在冒烟，还有噼啪声", "electricity"),
    ("河里有个人在扑腾，好像不会游泳", "water"),
    ("我被困在电梯里了，快来救我", "trapped"),
]
ISSUE_ORDINARY = [
    "电梯年检的合格证过期了，希望物业更新",
    "上个月电梯困人的事，物业到现在也没给说法",
    "楼道的灭火器都过期了，请更换",
    "消防通道又被私家车堵住了",
    "燃气费怎么在手机上交",
    "燃气灶的旋钮坏了，想找人上门换",
    "社区的防火安全讲座什么时候举办",
    "井盖一压就响，晚上很吵",
    "小区楼梯扶手松了，老人扶着不放心，希望加固",
    "家里停电了，什么时候能来电",
    "电费比上个月贵了一倍，想查一下",
    "老人走失的那件事已经找到人了，感谢社区",
    "独居老人能申请上门探访吗",
    "小区监控坏了，希望修好，治安会好一点",
    "上周那起打人的事，警方通报了吗",
    "邻居家的狗经常打架，很吵",
    "河道里有很多垃圾，希望清理",
    "小区游泳池什么时候开放",
    "老房子外墙有裂缝，能不能纳入改造",
    "之前塌陷的路面已经修好了，谢谢",
    "社区有没有心理辅导的讲座",
    "楼顶天台的门一直开着，建议锁上",
    "烧烤摊的油烟太大，熏到家里",
    "儿童游乐场的滑梯坏了一块，希望维修",
]


def test_the_issue_texts_are_in_neither_data_file():
    known = {r["text"] for r in urgency.training_rows()}
    known |= {r["text"] for r in urgency.training_rows(urgency.DATA / "urgency_heldout.jsonl")}
    known |= {r["text"] for r in urgency.training_rows(urgency.DATA / "urgency_heldout_v3.jsonl")}
    assert not known & ({t for t, _ in ISSUE_EMERGENCIES} | set(ISSUE_ORDINARY))


@pytest.mark.parametrize(("text", "kind"), ISSUE_EMERGENCIES)
def test_an_emergency_in_everyday_words_is_one_and_says_why(text, kind):
    verdict = urgency.assess(text)
    assert verdict.emergency, text
    assert verdict.reason.startswith(("关键词：", "模型 "))
    assert verdict.kind in urgency.KIND_LABELS


@pytest.mark.parametrize("text", ISSUE_ORDINARY)
def test_an_everyday_appeal_with_a_danger_word_is_not_an_emergency(text):
    assert not urgency.assess(text).emergency, urgency.assess(text).reason


def test_the_learned_layer_names_the_words_that_drove_it():
    verdict = urgency.assess("地下车库进水很快，还有人在车里没出来")
    assert verdict.source == "model" and verdict.words and verdict.reason.startswith("模型 ")


# --- answers ------------------------------------------------------------------------------------------------------
ELEVATOR_TEXT = "3栋电梯坏了，请物业来看看"


def _elevator(world, answer, channel="portal"):
    return services.appeal_submit(
        actor=world["zhangwei"],
        requester=world["zhangwei"],
        data=services.IntakeData(
            text=ELEVATOR_TEXT,
            channel=channel,
            category="elevator",
            area=world.huafu_community.code,
            attributes={"people_trapped": answer},
        ),
    )


@pytest.mark.django_db
def test_the_default_categories_declare_their_emergency_answers():
    elevator = Category.objects.get(code="elevator")
    declared = urgency.emergency_attributes(elevator.attributes)
    assert [a["code"] for a in declared] == ["people_trapped"]
    assert declared[0]["emergency"] == {"values": ["yes"], "kind": "trapped"}
    for code in ("gas_safety", "fire_hazard", "public_order", "power_supply", "road_damage", "elderly_care"):
        assert urgency.emergency_attributes(Category.objects.get(code=code).attributes), code


@pytest.mark.django_db
def test_people_trapped_yes_makes_an_elevator_report_an_emergency(world, clock):
    appeal = _elevator(world, "yes")
    assert appeal.urgency == "emergency" and appeal.urgency_kind == "trapped"
    assert appeal.urgency_reason == "回答：是否有人被困：有人被困"
    assert appeal.dispatch_due == clock.now + timedelta(minutes=EMERGENCY_DISPATCH_MINUTES)


@pytest.mark.django_db
def test_people_trapped_no_leaves_an_elevator_report_ordinary(world):
    appeal = _elevator(world, "no")
    assert appeal.urgency == "normal" and appeal.dispatch_due is None


@pytest.mark.django_db
def test_an_answer_that_is_not_declared_is_refused_and_nothing_is_written(world):
    with pytest.raises(ShequError) as refused:
        _elevator(world, "maybe")
    assert refused.value.status == 400 and "attribute[people_trapped]" in refused.value.fields
    assert not Appeal.objects.exists() and not Event.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_an_undeclared_answer_with_a_400(client, world):
    sign_in(client, world["zhangwei"])
    r = client.post(
        "/api/v1/appeals",
        {
            "text": ELEVATOR_TEXT,
            "channel": "api",
            "category": "elevator",
            "area": world.huafu_community.code,
            "attributes": {"people_trapped": "perhaps"},
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "attribute[people_trapped]" in r.json()["fields"]
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_open311_counts_the_answer_the_same_way(client, world, clock):
    from urllib.parse import urlencode

    from shequ.open311.keys import apikey_create

    _, key = apikey_create(name="FixMyStreet Futian", actor_username="os:test")
    form = {
        "api_key": key,
        "service_code": "elevator",
        "lat": "22.5431",
        "long": "114.0579",
        "description": "3栋电梯有点问题，请派人来",
    }
    r = client.post(
        "/open311/v2/requests.json",
        data=urlencode({**form, "attribute[people_trapped]": "yes"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200, r.content
    appeal = Appeal.objects.get(number=r.json()[0]["service_request_id"])
    assert appeal.urgency == "emergency" and appeal.urgency_reason == "回答：是否有人被困：有人被困"
    assert appeal.dispatch_due == clock.now + timedelta(minutes=EMERGENCY_DISPATCH_MINUTES)
    r = client.post(
        "/open311/v2/requests.json",
        data=urlencode({**form, "attribute[people_trapped]": "有人"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 400 and Appeal.objects.count() == 1


# --- corrections --------------------------------------------------------------------------------------------------
def _ordinary(world):
    return services.appeal_submit(
        actor=world["zhangwei"],
        requester=world["zhangwei"],
        data=services.IntakeData(
            text="小区门口的垃圾桶三天没人清理了，味道很大", channel="portal", area=world.huafu_community.code
        ),
    )


@pytest.mark.django_db
def test_raising_starts_the_20_minutes_at_the_raising(world, clock):
    appeal = _ordinary(world)
    assert appeal.urgency == "normal" and appeal.status == Status.SUBMITTED
    clock.advance(minutes=45)
    emergency.appeal_raise_emergency(
        actor=world["sunli"], appeal=appeal, reason="电话回访：有人受伤", kind="fall_injury"
    )
    appeal.refresh_from_db()
    assert appeal.urgency == "emergency" and appeal.urgency_kind == "fall_injury"
    assert appeal.dispatch_due == clock.now + timedelta(minutes=20)
    assert "电话回访" in appeal.urgency_reason
    event = Event.objects.get(appeal=appeal, action="raise_emergency")
    assert event.actor == world["sunli"] and event.data["urgency"] == {
        "before": "normal",
        "after": "emergency",
    }
    assert fixtures.audit_actions(appeal)[-1] == "appeal.raise_emergency"


@pytest.mark.django_db
def test_lowering_needs_a_reason_and_stops_the_clock(world):
    appeal = _elevator(world, "yes")
    with pytest.raises(ShequError) as refused:
        emergency.appeal_lower_emergency(actor=world["sunli"], appeal=appeal, reason="")
    assert refused.value.fields == {"reason": "required"}
    appeal.refresh_from_db()
    assert appeal.urgency == "emergency"
    emergency.appeal_lower_emergency(actor=world["sunli"], appeal=appeal, reason="回电确认：人已自行出来")
    appeal.refresh_from_db()
    assert appeal.urgency == "normal" and appeal.dispatch_due is None and appeal.urgency_reason == ""
    assert (
        Event.objects.get(appeal=appeal, action="lower_emergency").data["was"]
        == "回答：是否有人被困：有人被困"
    )


@pytest.mark.django_db
def test_raising_a_closed_appeal_is_refused(world):
    appeal = _ordinary(world)
    bring_to(world, appeal, Status.CLOSED)
    with pytest.raises(ShequError) as refused:
        emergency.appeal_raise_emergency(actor=world["sunli"], appeal=appeal)
    assert refused.value.code == "invalid_state" and refused.value.status == 409


@pytest.mark.django_db
def test_raising_twice_or_lowering_an_ordinary_appeal_is_refused(world):
    appeal = _ordinary(world)
    with pytest.raises(ShequError) as refused:
        emergency.appeal_lower_emergency(actor=world["sunli"], appeal=appeal, reason="不是紧急情况")
    assert refused.value.code == "unchanged"
    emergency.appeal_raise_emergency(actor=world["sunli"], appeal=appeal)
    with pytest.raises(ShequError):
        emergency.appeal_raise_emergency(actor=world["sunli"], appeal=appeal)


@pytest.mark.django_db
def test_only_a_dispatcher_corrects_the_urgency(world):
    appeal = _ordinary(world)
    for who in ("zhangwei", "liuyang"):
        with pytest.raises(PermissionDenied):
            emergency.appeal_raise_emergency(actor=world[who], appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.urgency == "normal"


@pytest.mark.django_db
def test_a_correction_becomes_a_training_example(world, django_capture_on_commit_callbacks):
    """Dispatch turns the correction into an example after COMMIT: the callbacks are run here as COMMIT would."""
    from shequ.dispatch.models import TrainingExample
    from shequ.dispatch.services import URGENCY_LABEL_KIND, urgency_correction_rows

    appeal = _ordinary(world)
    with django_capture_on_commit_callbacks(execute=True):
        emergency.appeal_raise_emergency(actor=world["sunli"], appeal=appeal, kind="gas")
    example = TrainingExample.objects.get(appeal=appeal, label_kind=URGENCY_LABEL_KIND)
    assert example.label == "emergency" and example.source == "correction"
    with django_capture_on_commit_callbacks(execute=True):
        emergency.appeal_lower_emergency(actor=world["sunli"], appeal=appeal, reason="只是垃圾的味道")
    example.refresh_from_db()
    assert example.label == "not_emergency"
    assert urgency_correction_rows()[-1]["urgent"] is False


@pytest.mark.django_db
def test_the_console_offers_raise_or_lower_as_the_workflow_allows(client, world):
    appeal = _ordinary(world)
    sign_in(client, world["sunli"])
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert "升为紧急" in page and "降为一般" not in page
    r = client.post(f"/console/appeals/{appeal.pk}/raise_emergency/", {"note": "回访确认有人受伤"})
    assert r.status_code == 302
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert "降为一般" in page and "升为紧急" not in page.split('<h2 class="h5">')[-1]
    assert "调度员升为紧急：回访确认有人受伤" in page


def _act(client, appeal, action, body):
    return client.post(f"/api/v1/appeals/{appeal.pk}/actions/{action}", body, content_type="application/json")


@pytest.mark.django_db
def test_the_api_refuses_a_downgrade_without_a_reason_and_writes_nothing(client, world):
    appeal = _elevator(world, "yes")
    events = Event.objects.filter(appeal=appeal).count()
    sign_in(client, world["sunli"])
    for body in ({}, {"reason": "   "}, {"reason": "不是"}):
        r = _act(client, appeal, "lower_emergency", body)
        assert r.status_code == 400 and r.json()["fields"] == {"reason": "required"}, r.content
    appeal.refresh_from_db()
    assert appeal.urgency == "emergency" and appeal.dispatch_due is not None
    assert Event.objects.filter(appeal=appeal).count() == events
    r = _act(client, appeal, "lower_emergency", {"reason": "回电确认：人已自行出来"})
    assert r.status_code == 200 and r.json()["urgency"] == "normal"


@pytest.mark.django_db
def test_the_api_refuses_to_raise_a_closed_appeal_or_an_unknown_kind(client, world):
    closed = bring_to(world, _ordinary(world), Status.CLOSED)
    events = Event.objects.filter(appeal=closed).count()
    sign_in(client, world["sunli"])
    r = _act(client, closed, "raise_emergency", {"reason": "回访确认有人受伤"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    closed.refresh_from_db()
    assert closed.urgency == "normal" and Event.objects.filter(appeal=closed).count() == events
    open_one = _ordinary(world)
    r = _act(client, open_one, "raise_emergency", {"reason": "回访", "kind": "meteor"})
    assert r.status_code == 400 and "kind" in r.json()["fields"]
    open_one.refresh_from_db()
    assert open_one.urgency == "normal"


@pytest.mark.django_db
def test_the_console_says_why_a_downgrade_without_a_reason_is_refused(client, world):
    appeal = _elevator(world, "yes")
    sign_in(client, world["sunli"])
    r = client.post(f"/console/appeals/{appeal.pk}/lower_emergency/", {"note": ""}, follow=True)
    page = r.content.decode()
    assert "请说明为什么不属于紧急情况（至少 4 个字）" in page
    appeal.refresh_from_db()
    assert appeal.urgency == "emergency"


@pytest.mark.django_db
def test_the_queue_shows_why_each_one_is_an_emergency(client, world):
    answered = _elevator(world, "yes")
    phrased = services.appeal_submit(
        actor=world["zhangwei"],
        requester=world["zhangwei"],
        data=services.IntakeData(
            text="楼道里煤气泄漏了，味道很浓", channel="portal", area=world.huafu_community.code
        ),
    )
    learned = services.appeal_submit(
        actor=world["zhangwei"],
        requester=world["zhangwei"],
        data=services.IntakeData(
            text="地下车库进水很快，还有人在车里没出来", channel="portal", area=world.huafu_community.code
        ),
    )
    raised = _ordinary(world)
    emergency.appeal_raise_emergency(actor=world["sunli"], appeal=raised, reason="回访确认有人受伤")
    sign_in(client, world["sunli"])
    page = client.get("/console/emergencies/").content.decode()
    rows = {
        a.number: page.split(a.number, 1)[1].split("</tr>", 1)[0]
        for a in (answered, phrased, learned, raised)
    }
    assert "回答：是否有人被困：有人被困" in rows[answered.number]
    assert "关键词：煤气泄漏" in rows[phrased.number] and "燃气泄漏" in rows[phrased.number]
    assert "模型 " in rows[learned.number]
    assert "调度员升为紧急：回访确认有人受伤" in rows[raised.number]


# --- the queue, the resident, the dashboard -----------------------------------------------------------------------
class TestEmergencyQueue(PermissionMatrixMixin):
    URL = "/console/emergencies/"

    @pytest.mark.django_db
    def test_the_emergency_queue_permission_matrix(self, client, world):
        appeal = _elevator(world, "yes")
        self.assert_permission_matrix(
            client, url=self.URL, in_scope=world["sunli"], no_role=world["zhouyu"], page=True
        )
        sign_in(client, world["sunli"])
        assert appeal.number in client.get(self.URL).content.decode()
        sign_in(client, world["wangqiang"])  # 南山区: the 福田 emergency is none of his
        r = client.get(self.URL)
        assert r.status_code == 200 and appeal.number not in r.content.decode()

    @pytest.mark.django_db
    def test_the_queue_counts_down_and_marks_new_emergencies(self, client, world, clock):
        appeal = _elevator(world, "yes")
        clock.advance(minutes=3)
        sign_in(client, world["sunli"])
        page = client.get(self.URL).content.decode()
        assert "17:00" in page and "emergency-new" in page and 'hx-trigger="every 10s"' in page
        clock.advance(minutes=20)
        fragment = client.get(self.URL, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in fragment and appeal.number in fragment
        assert "-03:00" in fragment and "emergency-new" not in fragment


@pytest.mark.django_db
def test_the_resident_is_told_it_is_urgent_and_whom_to_call(client, world):
    appeal = _elevator(world, "yes")
    sign_in(client, world["zhangwei"])
    page = client.get(f"/me/appeals/{appeal.pk}/").content.decode()
    assert 'id="urgent-notice"' in page and 'href="tel:119"' in page


@pytest.mark.parametrize(
    ("kind", "number"), [("fire", "119"), ("violence", "110"), ("missing_unwell", "120"), ("trapped", "119")]
)
def test_the_number_to_call_fits_the_kind(kind, number):
    assert emergency.call_for(Appeal(urgency="emergency", urgency_kind=kind))["number"] == number


@pytest.mark.django_db
def test_an_ordinary_appeal_shows_no_urgent_notice(client, world):
    appeal = _ordinary(world)
    sign_in(client, world["zhangwei"])
    assert 'id="urgent-notice"' not in client.get(f"/me/appeals/{appeal.pk}/").content.decode()


@pytest.mark.django_db
def test_the_dashboard_counts_emergencies_and_the_share_dispatched_in_20_minutes(client, world, clock):
    appeal = _elevator(world, "yes")
    clock.advance(minutes=5)
    services.appeal_dispatch(actor=world["sunli"], appeal=appeal, unit=world.cg.code)
    sign_in(client, world["chenjing"])
    page = client.get("/dashboard/?area=440304").content.decode()
    card = page.split('id="emergency-card"')[1][:800]
    assert ">1<" in card and "100%" in card


# --- the KPI rollups follow the urgency as it was -----------------------------------------------------------------
@pytest.mark.django_db
def test_raising_and_lowering_count_the_same_live_and_in_a_rebuild(world, clock):
    from shequ.appeals.kpis import kpis_rebuild
    from shequ.appeals.models import KpiDaily

    from .test_kpis import rows_now

    raised = _ordinary(world)
    clock.advance(minutes=30)
    emergency.appeal_raise_emergency(actor=world["sunli"], appeal=raised, reason="回访：有人受伤")
    clock.advance(minutes=10)  # 40 minutes after intake, 10 after the raising: on time
    services.appeal_dispatch(actor=world["sunli"], appeal=raised, unit=world.cg.code)
    lowered = _elevator(world, "yes")
    emergency.appeal_lower_emergency(actor=world["sunli"], appeal=lowered, reason="回电：人已自行出来")
    services.appeal_dispatch(actor=world["sunli"], appeal=lowered, unit=world.cg.code)
    totals = {
        k: sum(getattr(r, k) for r in KpiDaily.objects.all())
        for k in ("received", "emergency_received", "emergency_dispatched_in_20min")
    }
    # the elevator report counts as received an emergency (it was one then), dispatched as an ordinary one
    assert totals == {"received": 2, "emergency_received": 2, "emergency_dispatched_in_20min": 1}
    live = rows_now()
    kpis_rebuild()
    assert rows_now() == live
