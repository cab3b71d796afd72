"""Emergency management kept in the console (issue 28): 王强, street officer of 粤海街道, adds a shelter on a desktop
(a first try with no capacity is refused and keeps what he typed) and records a drill of his street's typhoon plan;
李娜, community worker of 华富街道, does the same on her phone in elder mode. Every page each person loads is looked
at (helpers.Journey: screenshot, Chinese, axe-core)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, Journey, phone_page, staff_login, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PLAN = "台风防御应急预案"


@pytest.fixture
def streets(cast_world) -> dict:
    from shequ.emergency import services
    from shequ.emergency.tests.helpers import community, street
    from shequ.facilities.services import facility_types_ensure

    facility_types_ensure()  # the flush of an earlier transactional test took the migrated facility types
    out = {}
    for key, district, name in (("yuehai", "440305", "粤海街道"), ("huafu", "440304", "华富街道")):
        s = street(district, name)
        services.plan_create(
            actor=None,
            area=s,
            title=PLAN,
            hazard="typhoon",
            roles=[services.RoleData("总指挥", "街道办主任", "13700000001", "统一指挥")],
        )
        out[key] = community(district, name)
    return out


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def add_shelter_and_drill(page, me: Journey, community, name: str, *, phone: bool = False) -> None:
    page.get_by_role("link", name="应急管理", exact=True).first.click()
    me.look("emergency")
    page.get_by_role("link", name="新增避难场所").click()
    expect(page.locator("h1")).to_have_text("新增避难场所")
    me.look("new-shelter")
    page.get_by_label("避难场所名称").fill(name)
    page.select_option("#id_area", community.code)
    page.get_by_label("地址").fill("社区文化广场")
    page.get_by_label("纬度（WGS84）").fill("22.5431")
    page.get_by_label("经度（WGS84）").fill("113.9345")
    page.get_by_role("button", name="保存避难场所").click()
    # Refused: no capacity. Nothing is saved and what was typed is still there.
    expect(page.locator("#em-form-refused")).to_have_text("未保存：请修改标出的项目。")
    expect(page.locator("#id_capacity_error")).to_be_visible()
    expect(page.get_by_label("容纳人数")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("避难场所名称")).to_have_value(name)
    expect(page.get_by_label("地址")).to_have_value("社区文化广场")
    if phone:
        fits_the_phone(page)
    me.look("shelter-refused")
    page.get_by_label("容纳人数").fill("300")
    page.get_by_role("button", name="保存避难场所").click()
    expect(page.get_by_role("status")).to_contain_text("避难场所已保存")
    expect(page.locator("#em-shelters")).to_contain_text(name)
    expect(page.locator("#em-shelters tr", has_text=name)).to_contain_text("300")
    me.look("shelter-saved")

    page.locator(".card", has_text=PLAN).get_by_role("link", name=re.compile(f"^记录演练.*{PLAN}")).click()
    expect(page.locator("#em-plan")).to_contain_text(PLAN)
    me.look("new-drill")
    page.get_by_label("参与人数").fill("45")
    page.get_by_label("演练记录").fill("夜间转移演练：25分钟内转移低洼地带居民至避难场所。")
    page.get_by_role("button", name="保存演练记录").click()
    expect(page.get_by_role("status")).to_contain_text("演练已记录。")
    expect(page.locator("section:has(#drills-heading)")).to_contain_text("夜间转移演练：25分钟内转移")
    if phone:
        fits_the_phone(page)
    me.look("drill-saved")


def test_an_officer_on_a_desktop_and_a_worker_on_a_phone_add_a_shelter_and_record_a_drill(
    browser, live_server, streets, shots
):
    from shequ.emergency.models import Drill, Shelter

    base = live_server.url

    officer = staff_page(browser, base, "wangqiang")
    me = Journey(officer, shots, "emergency-forms-officer")
    me.look("console")
    add_shelter_and_drill(officer, me, streets["yuehai"], "粤海街道科技园避难场所")
    me.done()

    worker = phone_page(browser, base, elder=True)
    staff_login(worker, base, "lina")
    expect(worker.locator("html")).to_have_class(re.compile(r"\belder\b"))
    lina = Journey(worker, shots, "emergency-forms-worker-phone")
    lina.look("console")
    add_shelter_and_drill(worker, lina, streets["huafu"], "华富街道莲花避难场所", phone=True)
    lina.done()

    assert set(Shelter.objects.values_list("name", flat=True)) == {
        "粤海街道科技园避难场所",
        "华富街道莲花避难场所",
    }
    assert Drill.objects.filter(participants=45).count() == 2


def test_an_officer_in_elder_mode_on_a_desktop_revises_a_plan_and_counts_a_supply(
    browser, live_server, streets, shots
):
    from shequ.emergency import services
    from shequ.emergency.models import Plan, PlanRole, Supply
    from shequ.emergency.tests.helpers import street

    services.supply_create(
        actor=None, area=street("440305", "粤海街道"), name="沙袋", unit="个", quantity=500, minimum=200
    )
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
    page = context.new_page()
    staff_login(page, base, "wangqiang")
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    me = Journey(page, shots, "emergency-edit-officer-elder")
    me.look("console")
    page.get_by_role("link", name="应急管理", exact=True).first.click()
    me.look("emergency")
    page.locator(".card", has_text=PLAN).get_by_role("link", name=re.compile(f"^编辑.*{PLAN}")).click()
    # The phone on record is shown masked beside its empty field; a new role is added in the next row.
    expect(page.locator("#id_roles-0-role")).to_have_value("总指挥")
    expect(page.locator("#id_roles-0-phone")).to_have_value("")
    expect(page.locator("#em-role-1")).to_contain_text("137****0001")
    me.look("plan-edit")
    page.fill("#id_title", f"{PLAN}（2027年修订）")
    page.fill("#id_roles-1-role", "转移安置组")
    page.fill("#id_roles-1-phone", "13712345678")
    page.get_by_role("button", name="保存预案").click()
    # Refused: the new role has no person. The phone just typed is not shown back; the rest is.
    expect(page.locator("#id_roles-1-name_error")).to_be_visible()
    expect(page.locator("#id_roles-1-role")).to_have_value("转移安置组")
    expect(page.locator("#id_roles-1-phone")).to_have_value("")
    expect(page.locator("#em-role-2")).to_contain_text("号码不回显，请重新填写")
    me.look("plan-refused")
    page.fill("#id_roles-1-name", "社区工作站站长")
    page.fill("#id_roles-1-phone", "13712345678")
    page.get_by_role("button", name="保存预案").click()
    expect(page.get_by_role("status")).to_contain_text("预案已保存")
    card = page.locator(".card", has_text="2027年修订")
    expect(card).to_contain_text("总指挥：街道办主任 · 137****0001")
    expect(card).to_contain_text("转移安置组：社区工作站站长 · 137****5678")
    me.look("plan-saved")

    page.locator("#em-supplies").get_by_role("link", name="沙袋").click()
    expect(page.locator("#em-supply")).to_contain_text("库存：500 个")
    me.look("stock")
    page.fill("#id_quantity", "150")
    page.get_by_role("button", name="保存盘点").click()
    expect(page.get_by_role("status")).to_contain_text("盘点已保存")
    expect(page.locator("#em-supplies tr", has_text="沙袋")).to_contain_text("低于最低库存")
    me.look("stock-saved")
    me.done()
    plan = Plan.objects.get(area__name="粤海街道")
    assert [r.phone for r in PlanRole.objects.filter(plan=plan).order_by("id")] == [
        "13700000001",
        "13712345678",
    ]
    assert Supply.objects.get(name="沙袋").quantity == 150
