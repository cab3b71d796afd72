"""A street officer's day in Chromium (issue 21): 王强 of 粤海街道办事处 signs for the appeal his office was given and
asks for more time (the extension waits for the dispatcher), supervises (督办) a district department's slow appeal in
his street, and registers a facility on the map with its opening hours, which residents then read. Every page
looked at (var/screenshots/officer-*.png, Chinese, axe-core)."""

import pytest
from playwright.sync_api import expect

from .helpers import Journey, main_text, said, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def street(cast_world):
    from shequ.access.services import unit_create
    from shequ.accounts.models import Unit
    from shequ.appeals import services
    from shequ.facilities.services import facility_types_ensure
    from shequ.geo.models import Area

    cast = cast_world
    facility_types_ensure()  # an earlier transactional test's flush emptied the types the migration loads
    yuehai = Area.objects.get(parent__code="440305", name="粤海街道")
    community = Area.objects.filter(parent=yuehai, level="community").order_by("code").first()
    office = Unit.objects.get(code=f"{yuehai.code}-JDB")
    department = unit_create(
        actor=cast["zhouyu"],
        code="440305-CG",
        name="南山区城市管理和综合执法局",
        kind="district_department",
        area=Area.objects.get(code="440305"),
    )

    def report(text: str, unit):
        appeal = services.appeal_submit(
            actor=cast["zhangwei"],
            requester=cast["zhangwei"],
            data=services.IntakeData(text=text, channel="portal", category="sanitation", area=community.code),
        )
        if appeal.status == "submitted":
            return services.appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit=unit)
        return services.appeal_reassign(actor=cast["sunli"], appeal=appeal, unit=unit)

    ours = report("科技园路口的垃圾转运站周边污水横流，气味很大", office)
    slow = report("深大北门附近人行道上的建筑垃圾一直没人清理", department)
    return {"ours": ours, "slow": slow, "community": community, "yuehai": yuehai}


def test_a_street_officer_handles_supervises_and_keeps_the_facility_registry(
    browser, live_server, street, shots
):
    base = live_server.url
    wang = Journey(staff_page(browser, base, "wangqiang"), shots, "officer")
    page = wang.page
    assert "街道工作人员" in main_text(page)
    to_sign = page.locator("a.card", has_text="待签收")
    expect(to_sign.locator(".fs-3")).to_have_text("1")
    wang.look("home")

    # His office's appeal: signed for, then more time asked for, which waits for the dispatcher.
    to_sign.click()
    wang.look("queue")
    page.get_by_role("link", name=street["ours"].number).click()
    page.click('form[action$="/sign_for/"] button')
    assert "已完成：签收" in said(page)
    wang.look("signed-for")
    page.fill("#days", "3")
    page.fill("#note-request_extension", "转运站需要区环卫部门调车清洗，需要多几天")
    page.click('form[action$="/request_extension/"] button')
    expect(page.locator("#extension-pending")).to_contain_text("3")
    expect(page.locator("h1")).to_contain_text("延期申请待审批")
    wang.look("extension-asked")

    # A department's appeal in his street: he supervises it (督办).
    page.goto(f"{base}/console/appeals/?queue=")
    expect(page.locator("main table")).to_contain_text(street["slow"].number)
    wang.look("street-appeals")
    page.get_by_role("link", name=street["slow"].number).click()
    assert "南山区城市管理和综合执法局" in main_text(page)
    wang.look("slow-appeal")
    page.fill("#note-supervise", "请三日内清理完毕并回复")
    page.click('form[action$="/supervise/"] button')
    assert "已完成：督办" in said(page)
    expect(page.locator("h1")).to_contain_text("督办")
    wang.look("supervised")

    # A new facility on the map, with its opening hours.
    page.goto(f"{base}/console/")
    page.get_by_role("link", name="设施").click()
    wang.look("facilities")
    page.get_by_role("link", name="新增设施").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("名称").fill("粤海长者服务站")
    page.get_by_label("类型").select_option("elderly")
    page.get_by_label("区域代码").fill(street["community"].code)
    page.get_by_label("服务电话").fill("0755-26661234")
    box = page.locator("#pick-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#lat")).not_to_have_value("")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        page.locator(f"#id_h-hours_{day}").fill("8:30～12:00、14:00至17:30")
    page.locator("#id_h-hours_sat").fill("全天")
    page.get_by_label("法定节假日").select_option("closed")
    page.get_by_label("节假日说明").fill("春节期间另行通知")
    wang.look("new-facility")
    page.get_by_role("button", name="保存").click()
    assert "设施已保存" in said(page)
    expect(page.locator("#id_h-hours_mon")).to_have_value("08:30-12:00, 14:00-17:30")
    expect(page.locator("#id_h-hours_sat")).to_have_value("全天")
    wang.look("facility-saved")

    # Residents read it among the services of the street.
    page.goto(f"{base}/services/?street={street['yuehai'].code}")
    card = page.locator("main li, main .card", has_text="粤海长者服务站").first
    expect(card).to_contain_text("今天")
    wang.look("services-for-residents")
    wang.done()

    from shequ.appeals.models import Appeal
    from shequ.facilities.models import Facility

    saved = Facility.objects.get(name="粤海长者服务站")
    assert saved.hours["mon"] == [["08:30", "12:00"], ["14:00", "17:30"]] and saved.holiday_rule == "closed"
    assert Appeal.objects.get(pk=street["slow"].pk).supervised
