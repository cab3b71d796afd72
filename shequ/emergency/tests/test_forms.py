"""The console's forms (a plan with its contact roles, a shelter and its occupancy, a supply, a drill) and the
message that tells everyone a warning reached that it is lifted, once, however often its task runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.emergency import services, tasks
from shequ.emergency.models import Delivery, Drill, Plan, PlanRole, Shelter, Supply, Warning
from shequ.facilities.models import Facility
from shequ.messages.models import Message

pytestmark = pytest.mark.django_db

CONSOLE = "/console/emergency/"


@pytest.fixture
def huafu_officer(yuehai):
    from shequ.accounts.roles import Role

    from .helpers import staff, street

    return staff("em_officer_huafu", Role.STREET_OFFICER, street("440304", "华富街道"))


@pytest.fixture
def plan(yuehai):
    return services.plan_create(
        actor=yuehai["officer"],
        area=yuehai["street"],
        title="台风防御应急预案",
        hazard="typhoon",
        roles=[services.RoleData("总指挥", "街道办主任", "13700000001", "统一指挥")],
    )


@pytest.fixture
def supply(yuehai):
    return services.supply_create(
        actor=yuehai["officer"], area=yuehai["a"], name="沙袋", unit="个", quantity=500, minimum=200
    )


@pytest.fixture
def shelter(yuehai):
    return services.shelter_create(
        actor=yuehai["officer"],
        area=yuehai["a"],
        name="粤海小学避难场所",
        lat=22.54,
        lng=113.94,
        capacity=300,
    )


def shelter_post(yuehai, **kw):
    return {
        "area": yuehai["a"].code,
        "name": "科技园体育馆",
        "address": "科苑路8号",
        "lat": "22.5431",
        "lng": "113.9345",
        "capacity": "500",
        **kw,
    }


def plan_post(yuehai, rows=(), **kw):
    data = {
        "area": yuehai["street"].code,
        "title": "暴雨内涝应急预案",
        "hazard": "rainstorm",
        "summary": "蓝色预警起值守。",
        "roles-TOTAL_FORMS": "5",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "5",
        **kw,
    }
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"roles-{i}-{k}"] = v
    return data


def edit_post(plan, rows=None, **kw):
    """The edit form as the page sends it: the plan's roles in their rows (phones left empty), unless `rows`."""
    if rows is None:
        rows = [{"role": r.role, "name": r.name, "duty": r.duty, "was": str(r.pk)} for r in plan.roles.all()]
    data = {
        "title": plan.title,
        "hazard": plan.hazard,
        "summary": plan.summary,
        "roles-TOTAL_FORMS": "5",
        "roles-INITIAL_FORMS": str(plan.roles.count()),
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "5",
        **kw,
    }
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"roles-{i}-{k}"] = v
    return data


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_form_pages(self, client, yuehai, plan, shelter, supply, huafu_officer):
        for url in (f"{CONSOLE}plans/new/", f"{CONSOLE}shelters/new/", f"{CONSOLE}supplies/new/"):
            self.assert_permission_matrix(
                client, url=url, in_scope=yuehai["officer"], no_role=yuehai["grid"], page=True
            )
        # A thing of the officer's street: another street's officer gets 404, as for a missing one.
        for path, pk in (
            ("shelters/{}/", shelter.pk),
            ("plans/{}/drills/new/", plan.pk),
            ("supplies/{}/", supply.pk),
            ("plans/{}/", plan.pk),
        ):
            self.assert_permission_matrix(
                client,
                url=CONSOLE + path.format(pk),
                in_scope=yuehai["officer"],
                out_of_scope=huafu_officer,
                no_role=yuehai["grid"],
                missing_url=CONSOLE + path.format(pk + 999),
                page=True,
            )

    def test_form_posts(self, client, yuehai, plan, shelter, supply, huafu_officer):
        today = timezone.localdate().isoformat()
        walks = [
            (f"{CONSOLE}plans/new/", plan_post(yuehai), None),
            (f"{CONSOLE}shelters/new/", shelter_post(yuehai), None),
            (
                f"{CONSOLE}supplies/new/",
                {"area": yuehai["a"].code, "name": "救生衣", "unit": "件", "quantity": "40"},
                None,
            ),
            (f"{CONSOLE}shelters/{shelter.pk}/", {"occupied": "10", "is_open": "on"}, shelter.pk),
            (f"{CONSOLE}supplies/{supply.pk}/", {"quantity": "480", "minimum": "200"}, supply.pk),
            (f"{CONSOLE}plans/{plan.pk}/", edit_post(plan, title="台风防御应急预案（修订）"), plan.pk),
            (
                f"{CONSOLE}plans/{plan.pk}/drills/new/",
                {"held_on": today, "participants": "30", "record": "夜间转移演练。"},
                plan.pk,
            ),
        ]
        for url, data, pk in walks:
            self.assert_permission_matrix(
                client,
                url=url,
                method="post",
                data=data,
                multipart=True,
                in_scope=yuehai["officer"],
                out_of_scope=huafu_officer if pk else None,
                no_role=yuehai["grid"],
                missing_url=url.replace(f"/{pk}/", f"/{pk + 999}/") if pk else None,
                ok=(302,),
                page=True,
            )


# --- the forms ------------------------------------------------------------------------------------------------
def test_a_plan_is_saved_with_its_roles_and_the_phone_is_kept_encrypted_and_shown_masked(client, yuehai):
    sign_in(client, yuehai["officer"])
    rows = [
        {"role": "总指挥", "name": "街道办主任", "phone": "13712345678", "duty": "统一指挥"},
        {},
        {"role": "转移安置组", "name": "社区工作站站长", "phone": "0755-83451234"},
    ]
    r = client.post(f"{CONSOLE}plans/new/", plan_post(yuehai, rows), follow=True)
    page = r.content.decode()
    assert r.redirect_chain[-1][0] == CONSOLE
    assert "预案已保存。" in page and "暴雨内涝应急预案" in page
    assert "137****5678" in page and "0755-****1234" in page and "13712345678" not in page
    plan = Plan.objects.get(title="暴雨内涝应急预案")
    assert [(r.role, r.name, r.phone) for r in plan.roles.all()] == [
        ("总指挥", "街道办主任", "13712345678"),
        ("转移安置组", "社区工作站站长", "075583451234"),
    ]
    with connection.cursor() as c:
        c.execute("SELECT phone FROM emergency_planrole WHERE plan_id = %s", [plan.pk])
        assert all("13712345678" not in str(v) for (v,) in c.fetchall())
    entry = AuditEntry.objects.get(action="emergency.plan_create", object_id=str(plan.pk))
    assert "13712345678" not in str(entry.changes) + entry.object_repr


def test_a_refused_plan_keeps_what_was_typed_and_writes_nothing(client, yuehai):
    sign_in(client, yuehai["officer"])
    rows = [
        {"role": "总指挥", "name": "街道办主任", "phone": "12345", "duty": "统一指挥"},
        {"role": "物资保障组"},
    ]
    r = client.post(f"{CONSOLE}plans/new/", plan_post(yuehai, rows, title="防汛预案", hazard=""))
    assert r.status_code == 400
    page = r.content.decode()
    assert "未保存：请修改标出的项目。" in page
    assert 'value="防汛预案"' in page and 'value="物资保障组"' in page and 'value="12345"' in page
    assert 'id="id_roles-1-name_error"' in page and 'aria-invalid="true"' in page
    assert Plan.objects.filter(title="防汛预案").count() == 0
    # The form is right; the phone the service refuses is shown next to it, and still nothing is written.
    rows = [{"role": "总指挥", "name": "街道办主任", "phone": "12345"}]
    r = client.post(f"{CONSOLE}plans/new/", plan_post(yuehai, rows, title="防汛预案"))
    assert r.status_code == 400
    assert 'id="id_roles-0-phone_error"' in r.content.decode()
    assert "请填写手机号码或带区号的固定电话。" in r.content.decode()
    assert not Plan.objects.filter(title="防汛预案").exists() and not PlanRole.objects.filter(
        name="街道办主任"
    )


def test_an_area_outside_the_users_scope_cannot_be_chosen(client, yuehai):
    from .helpers import community

    sign_in(client, yuehai["officer"])
    outside = community("440304", "华富街道")
    r = client.post(f"{CONSOLE}shelters/new/", shelter_post(yuehai, area=outside.code))
    assert r.status_code == 400 and 'id="id_area_error"' in r.content.decode()
    assert not Shelter.objects.filter(name="科技园体育馆").exists()
    assert not Facility.objects.filter(name="科技园体育馆").exists()


def test_a_shelter_is_saved_on_the_facility_map_too_and_a_bad_one_writes_nothing(client, yuehai):
    sign_in(client, yuehai["officer"])
    r = client.post(f"{CONSOLE}shelters/new/", shelter_post(yuehai, capacity="0", lat="99"))
    page = r.content.decode()
    assert r.status_code == 400 and 'id="id_capacity_error"' in page and 'id="id_lat_error"' in page
    assert 'value="科技园体育馆"' in page and 'value="科苑路8号"' in page
    assert not Facility.objects.filter(name="科技园体育馆").exists()
    r = client.post(f"{CONSOLE}shelters/new/", shelter_post(yuehai), follow=True)
    assert "避难场所已保存" in r.content.decode() and "科技园体育馆" in r.content.decode()
    shelter = Shelter.objects.get(name="科技园体育馆")
    assert shelter.capacity == 500 and shelter.area == yuehai["a"]
    assert Facility.objects.get(pk=shelter.facility_id).type.code == "shelter"


def test_a_shelters_occupancy_is_set_within_its_capacity(client, yuehai, shelter):
    sign_in(client, yuehai["officer"])
    url = f"{CONSOLE}shelters/{shelter.pk}/"
    r = client.post(url, {"occupied": "301", "is_open": "on"})
    assert r.status_code == 400 and "应在0到容量（300）之间。" in r.content.decode()
    assert 'value="301"' in r.content.decode() and 'id="id_occupied_error"' in r.content.decode()
    shelter.refresh_from_db()
    assert (shelter.occupied, shelter.is_open) == (0, False)
    r = client.post(url, {"occupied": "120", "is_open": "on"}, follow=True)
    assert "避难场所状态已保存。" in r.content.decode()
    shelter.refresh_from_db()
    assert (shelter.occupied, shelter.is_open) == (120, True)
    assert AuditEntry.objects.filter(action="emergency.shelter_occupancy", object_id=str(shelter.pk)).exists()


def test_a_supply_is_recorded_and_its_alert_shown(client, yuehai):
    sign_in(client, yuehai["officer"])
    data = {"area": yuehai["a"].code, "name": "沙袋", "unit": "个", "quantity": "-1", "minimum": "200"}
    r = client.post(f"{CONSOLE}supplies/new/", data)
    assert r.status_code == 400 and 'id="id_quantity_error"' in r.content.decode()
    assert not Supply.objects.filter(name="沙袋").exists()
    r = client.post(f"{CONSOLE}supplies/new/", {**data, "quantity": "50"}, follow=True)
    page = r.content.decode()
    assert "物资已登记。" in page and "沙袋" in page and "低于最低库存" in page


def test_a_drill_is_recorded_on_its_plan_and_not_in_the_future(client, yuehai, plan):
    sign_in(client, yuehai["officer"])
    url = f"{CONSOLE}plans/{plan.pk}/drills/new/"
    page = client.get(url).content.decode()
    # The date field is filled with today in the form a browser's date input reads.
    assert "台风防御应急预案" in page and f'value="{timezone.localdate().isoformat()}"' in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    r = client.post(url, {"held_on": tomorrow, "participants": "30", "record": "夜间转移演练。"})
    assert r.status_code == 400 and 'id="id_held_on_error"' in r.content.decode()
    assert "夜间转移演练。" in r.content.decode() and not Drill.objects.exists()
    today = timezone.localdate().isoformat()
    r = client.post(url, {"held_on": today, "participants": "30", "record": "夜间转移演练。"}, follow=True)
    assert "演练已记录。" in r.content.decode()
    drill = Drill.objects.get()
    assert (drill.plan, drill.area, drill.recorded_by) == (plan, plan.area, yuehai["officer"])


def test_the_console_links_every_form(client, yuehai, plan, shelter):
    sign_in(client, yuehai["officer"])
    page = client.get(CONSOLE).content.decode()
    for url in ("plans/new/", "shelters/new/", "supplies/new/", f"shelters/{shelter.pk}/"):
        assert f'href="{CONSOLE}{url}"' in page, url
    assert f'href="{CONSOLE}plans/{plan.pk}/drills/new/"' in page


# --- the lift message -------------------------------------------------------------------------------------------
def _lifted(yuehai, capture, n_extra=0):
    from .helpers import person

    for i in range(n_extra):
        person(yuehai["a"], account=True, phone=f"1390000{i:04d}", name=f"居民{i}")
    with capture(execute=True):
        warning = services.warning_publish(
            actor=yuehai["officer"],
            hazard="rainstorm",
            level="red",
            area_codes=[yuehai["a"].code],
            message="暴雨红色预警。",
        )
    with capture(execute=True):
        services.warning_end(actor=yuehai["officer"], warning=warning)
    return warning


def test_lifting_a_warning_tells_everyone_it_reached_through_the_message_centre_once(
    yuehai, django_capture_on_commit_callbacks
):
    warning = _lifted(yuehai, django_capture_on_commit_callbacks, n_extra=3)
    lifted = Message.objects.filter(kind="emergency.lifted")
    reached = Delivery.objects.filter(warning=warning, user__isnull=False)
    assert lifted.count() == reached.count() == 4
    assert set(lifted.values_list("person_id", flat=True)) == set(reached.values_list("user_id", flat=True))
    m = lifted.get(person=yuehai["reader"].user)
    assert m.title == "已解除：红色暴雨预警" and m.link == f"/emergency/{warning.pk}/"
    assert "我已安全" in m.body and "我需要帮助" in m.body
    warning.refresh_from_db()
    assert warning.lift_told_at is not None
    assert not reached.filter(lift_told_at__isnull=True).exists()
    # Run again (a redelivered task, the resume sweep): nobody is told twice.
    assert tasks.lift_notify(warning.pk) == 0
    assert lifted.count() == 4


def test_those_reached_by_text_only_are_told_of_the_lift_by_text_once(
    yuehai, django_capture_on_commit_callbacks
):
    from shequ.accounts.models import OutboxMessage

    from .helpers import person

    texted = person(yuehai["a"], phone="13900009999", name="无账号居民")
    warning = _lifted(yuehai, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(warning=warning, resident=texted)
    assert delivery.channel == "sms" and delivery.lift_told_at is not None
    texts = OutboxMessage.objects.filter(recipient_masked="139****9999", purpose="emergency.lifted")
    assert [t.body for t in texts] == [
        "【已解除：红色暴雨预警】预警已解除。如需帮助，请联系社区或拨打12345。"
    ]
    # Nobody without a phone or an account is counted as told; a second run texts nobody again.
    assert not Delivery.objects.filter(warning=warning, channel="none", lift_told_at__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.lift_notify(warning.pk) == 0
    assert texts.count() == 1


def test_a_lift_task_that_failed_half_way_and_is_retried_tells_nobody_twice(
    yuehai, django_capture_on_commit_callbacks, monkeypatch
):
    from shequ.emergency import services as em

    warning = _lifted(yuehai, django_capture_on_commit_callbacks, n_extra=4)
    # Undo the lift message to those with an account (the one texted stays told), then run it again in
    # batches of two, the second batch failing.
    Message.objects.filter(kind="emergency.lifted").delete()
    Delivery.objects.filter(warning=warning, user__isnull=False).update(lift_told_at=None)
    Warning.objects.filter(pk=warning.pk).update(lift_told_at=None)
    real, calls = em.message_send, []

    def flaky(**kw):
        calls.append(kw["person"].pk)
        if len(calls) == 3:
            raise ConnectionError("broker lost")
        return real(**kw)

    monkeypatch.setattr(em, "message_send", flaky)
    with pytest.raises(ConnectionError):
        tasks.lift_notify(warning.pk, batch_size=2)
    assert Message.objects.filter(kind="emergency.lifted").count() == 2  # the first batch committed
    monkeypatch.setattr(em, "message_send", real)
    assert tasks.lift_notify(warning.pk, batch_size=2) == 3
    people = list(Message.objects.filter(kind="emergency.lifted").values_list("person_id", flat=True))
    assert len(people) == len(set(people)) == 5
    warning.refresh_from_db()
    assert warning.lift_told_at is not None


def test_a_lost_lift_message_is_sent_again_by_the_resume_sweep(yuehai, django_capture_on_commit_callbacks):
    warning = _lifted(yuehai, django_capture_on_commit_callbacks)
    Message.objects.filter(kind="emergency.lifted").delete()
    Delivery.objects.filter(warning=warning).update(lift_told_at=None)
    Warning.objects.filter(pk=warning.pk).update(lift_told_at=None, lift_queued_at=timezone.now())
    tasks.fanout_resume()  # queued a moment ago: still in flight, left alone
    assert not Message.objects.filter(kind="emergency.lifted").exists()
    Warning.objects.filter(pk=warning.pk).update(lift_queued_at=timezone.now() - timedelta(minutes=10))
    tasks.fanout_resume()
    assert Message.objects.filter(kind="emergency.lifted", person=yuehai["reader"].user).count() == 1
    warning.refresh_from_db()
    assert warning.lift_told_at is not None


def test_a_stock_count_is_saved_with_what_it_was_before_and_a_bad_one_changes_nothing(client, yuehai, supply):
    sign_in(client, yuehai["officer"])
    url = f"{CONSOLE}supplies/{supply.pk}/"
    page = client.get(url).content.decode()
    # The form starts from the recorded stock; the console lists the supply as a link to this page.
    assert 'value="500"' in page and 'value="200"' in page and "库存：500 个" in page
    assert f'href="{url}"' in client.get(CONSOLE).content.decode()
    r = client.post(url, {"quantity": "-5", "minimum": "200", "location": "街道仓库"})
    assert r.status_code == 400 and 'id="id_quantity_error"' in r.content.decode()
    assert 'value="街道仓库"' in r.content.decode()
    supply.refresh_from_db()
    assert (supply.quantity, supply.location) == (500, "")
    assert not AuditEntry.objects.filter(action="emergency.supply_update").exists()
    r = client.post(
        url,
        {"quantity": "150", "minimum": "200", "expires_on": "2030-06-30", "location": "街道仓库"},
        follow=True,
    )
    page = r.content.decode()
    assert "盘点已保存。" in page and "低于最低库存" in page
    supply.refresh_from_db()
    assert (supply.quantity, supply.minimum, supply.expires_on.isoformat(), supply.location) == (
        150,
        200,
        "2030-06-30",
        "街道仓库",
    )
    entry = AuditEntry.objects.get(action="emergency.supply_update", object_id=str(supply.pk))
    assert entry.changes["quantity"] == {"before": "500", "after": "150"}
    assert "minimum" not in entry.changes  # unchanged fields are not listed


def test_the_keepers_of_a_supply_are_told_once_per_new_alert_and_no_one_outside(
    yuehai, supply, huafu_officer
):
    from shequ.emergency.tasks import supply_alerts

    officer = yuehai["officer"]
    told = Message.objects.filter(kind="emergency.supplies")
    assert supply_alerts() == 0 and not told.exists()  # 500 in stock, minimum 200, no expiry
    services.supply_update(
        actor=officer, supply=supply, quantity=150, minimum=200, expires_on=None, location="街道仓库"
    )
    assert supply_alerts() >= 1
    m = told.get(person=officer)
    assert m.title == "应急物资需要处理" and "沙袋（" in m.body and "低于最低库存" in m.body
    assert m.link == "/console/emergency/#supplies-heading"
    assert not told.filter(person=huafu_officer).exists()  # another street's officer
    assert supply_alerts() == 0 and told.filter(person=officer).count() == 1  # told once
    # It now expires soon too: that is news. Restocked, it is quiet; low again, it is told again.
    soon = timezone.localdate() + timedelta(days=10)
    services.supply_update(
        actor=officer, supply=supply, quantity=150, minimum=200, expires_on=soon, location=""
    )
    assert supply_alerts() >= 1 and "30天内过期" in told.filter(person=officer).latest("pk").body
    services.supply_update(
        actor=officer, supply=supply, quantity=900, minimum=200, expires_on=None, location=""
    )
    assert supply_alerts() == 0
    services.supply_update(
        actor=officer, supply=supply, quantity=10, minimum=200, expires_on=None, location=""
    )
    assert supply_alerts() >= 1 and told.filter(person=officer).count() == 3


def test_a_plan_is_edited_its_phones_kept_unseen_and_a_bad_edit_changes_nothing(client, yuehai, plan):
    from shequ.emergency.models import PlanRole

    sign_in(client, yuehai["officer"])
    url = f"{CONSOLE}plans/{plan.pk}/"
    page = client.get(url).content.decode()
    # The phone on record is shown masked, never in a field's value.
    assert "137****0001" in page and "13700000001" not in page
    assert 'value="总指挥"' in page and 'name="roles-0-was"' in page
    assert f'href="{url}"' in client.get(CONSOLE).content.decode()
    # A second role without a name: refused at its row, nothing changed.
    rows = [
        {"role": "总指挥", "name": "街道办主任", "duty": "统一指挥", "was": str(plan.roles.get().pk)},
        {"role": "转移安置组", "name": "", "phone": "13712345678"},
    ]
    r = client.post(url, edit_post(plan, rows, title="台风防御应急预案（2027修订）"))
    assert r.status_code == 400 and 'id="id_roles-1-name_error"' in r.content.decode()
    plan.refresh_from_db()
    assert plan.title == "台风防御应急预案" and plan.roles.count() == 1
    # Fixed: the first role keeps its phone (left empty), the new one has its own; the audit names no phone.
    rows[1]["name"] = "社区工作站站长"
    r = client.post(url, edit_post(plan, rows, title="台风防御应急预案（2027修订）"), follow=True)
    assert "预案已保存" in r.content.decode()
    plan.refresh_from_db()
    assert plan.title == "台风防御应急预案（2027修订）"
    got = [(x.role, x.name, x.phone) for x in PlanRole.objects.filter(plan=plan).order_by("id")]
    assert got == [("总指挥", "街道办主任", "13700000001"), ("转移安置组", "社区工作站站长", "13712345678")]
    entry = AuditEntry.objects.get(action="emergency.plan_update", object_id=str(plan.pk))
    assert entry.changes["title"]["after"] == "台风防御应急预案（2027修订）"
    assert entry.changes["roles"] == {"before": 1, "after": 2}
    assert "1371234" not in str(entry.changes) and "1370000" not in str(entry.changes)


def test_a_row_cannot_take_the_phone_of_another_plans_role(client, yuehai, plan):
    from shequ.emergency.models import PlanRole

    other = services.plan_create(
        actor=yuehai["officer"],
        area=yuehai["street"],
        title="内涝应急预案",
        hazard="rainstorm",
        roles=[services.RoleData("值班员", "社区值班员", "13711112222")],
    )
    sign_in(client, yuehai["officer"])
    foreign = str(PlanRole.objects.get(plan=other).pk)
    rows = [{"role": "总指挥", "name": "街道办主任", "was": foreign}]
    r = client.post(f"{CONSOLE}plans/{plan.pk}/", edit_post(plan, rows))
    assert r.status_code == 302
    assert PlanRole.objects.get(plan=plan).phone == ""
