"""The appeal loop as a resident lives it, on a phone (390×844), in normal and elder mode (issue 21).

She picks a suggested category and it is kept; the unit answers, she rates 不满意, and her page says 重新办理中
with the earlier answer marked as such, never a note meant for staff. Every page is checked with axe-core and
screenshotted."""

import json

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, Journey, axe_violations, main_text, phone_page, resident_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

INTERNAL = "内部备注：先联系物业经理老王"
REPLY = "已协调工地，夜间十点后停止施工。"


@pytest.fixture
def people(cast_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return cast_world


def phone(browser, base, elder):
    return phone_page(browser, base, elder=elder)


def no_serious_violations(page, shots, name):
    found = axe_violations(page)
    (shots / f"{name}-axe.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    assert not found, found


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_resident_keeps_her_category_and_reads_her_reopened_appeal_in_her_words(
    browser, live_server, people, shots, elder
):
    from shequ.appeals import services
    from shequ.appeals.models import Appeal

    base, mode = live_server.url, "elder" if elder else "normal"
    me = Journey(phone(browser, base, elder), shots, f"resident-loop-{mode}")
    page = me.page
    page.goto(f"{base}/accounts/resident/")
    me.look("sign-in")
    resident_login(page, base)
    me.look("signed-in")

    # 1. The suggested category she picks is the one kept.
    page.goto(f"{base}/appeals/new/")
    page.wait_for_load_state("networkidle")  # htmx ready
    page.fill("#text", "晚上工地施工噪音扰民，十一点还在打桩")
    page.dispatch_event("#text", "keyup")  # what typing sends; htmx asks for suggestions on keyup
    page.locator("#sug-noise").wait_for(timeout=15_000)
    page.check("#sug-noise")
    assert page.input_value("#category_list") == ""  # the list stays at "不确定" and no longer wins
    me.look("category-kept")
    page.click("main button[type=submit]")
    page.select_option("#district", "440304")
    page.click("button[name=go][value=refresh]")
    page.select_option("#street", label="华富街道")
    page.click("button[name=go][value=refresh]")
    page.select_option("#community", index=1)
    me.look("where")
    page.click("button[name=go][value=next]")
    # expect(...) waits for the next page; reading inner_text at once could read the page being left.
    expect(page.locator("main dl")).to_contain_text("噪声污染")
    # The kept category asks its own question (噪声发生时段), which the intake needs.
    expect(page.locator("main form")).to_contain_text("噪声发生时段")
    page.check("#attr-time_of_day-night")
    me.look("confirm")
    page.click("main button[type=submit]")
    expect(page.locator("main")).to_contain_text("已受理")
    me.look("received")
    appeal = Appeal.objects.get()
    assert appeal.category.code == "noise" and appeal.attributes == {"time_of_day": "night"}

    # The unit handles it; the dispatcher's note is for staff.
    from shequ.accounts.models import Unit

    cast = people
    unit = Unit.objects.get(grants__user=cast["lina"])
    if appeal.status == "submitted":
        appeal = services.appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit=unit, note=INTERNAL)
    else:
        appeal = services.appeal_reassign(actor=cast["sunli"], appeal=appeal, unit=unit, note=INTERNAL)
    appeal = services.appeal_sign_for(actor=cast["lina"], appeal=appeal)
    appeal = services.appeal_start(actor=cast["lina"], appeal=appeal)
    services.appeal_reply(actor=cast["lina"], appeal=appeal, text=REPLY)

    # 3. She rates 不满意: the page says it is being handled again, in her words.
    page.goto(f"{base}/me/appeals/{appeal.pk}/")
    expect(page.locator("main")).to_contain_text(REPLY)
    me.look("answered")
    page.check("#rate-2")
    page.check("#res-no")
    page.click("form[action$='/rate/'] button")
    expect(page.locator("main")).to_contain_text("重新办理中")
    main = page.locator("main").inner_text()
    assert "重新办理中" in main and "此前的答复" in main and REPLY in main
    assert "已派单" not in main and INTERNAL not in main and "职责清单" not in main
    assert "已转交办理单位" in main
    me.look("reopened")
    me.done()


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_new_resident_registers_on_her_phone(browser, live_server, people, shots, elder):
    import re

    from shequ.accounts.models import User

    base, mode = live_server.url, "elder" if elder else "normal"
    page = phone(browser, base, elder)
    page.goto(f"{base}/accounts/resident/")
    page.click("text=还没有账号？用手机号注册")
    assert "居民注册" in page.locator("h1").inner_text()
    page.fill("#reg-phone", "13912340002" if elder else "13912340001")
    page.click("form[action$='/register/code/'] button")
    main = page.locator("main").inner_text()
    assert "验证码已发送至 139****000" in main and "演示短信" in main
    code = re.search(r"验证码是 (\d{6})", main).group(1)
    page.fill("#id_code", code)
    page.fill("#id_real_name", "王芳")
    page.screenshot(path=str(shots / f"resident-register-{mode}.png"), full_page=True)
    no_serious_violations(page, shots, f"resident-register-{mode}")
    page.click("main form:not([action]) button[type=submit]")
    assert "欢迎，您已登录。" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / f"resident-registered-{mode}.png"), full_page=True)
    assert User.objects.filter(display_name="王芳").count() == 1


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_resident_reads_her_messages_on_her_phone(browser, live_server, people, shots, elder):
    from shequ.accounts.models import Unit
    from shequ.appeals import services
    from shequ.geo.models import Area

    cast = people
    community = Area.objects.filter(parent__name="华富街道").order_by("code").first()
    appeal = services.appeal_submit(
        actor=cast["zhangwei"],
        requester=cast["zhangwei"],
        data=services.IntakeData(text="小区门口的垃圾三天没人清运", channel="portal", area=community.code),
    )
    if appeal.status == "submitted":
        unit = Unit.objects.get(grants__user=cast["lina"])
        services.appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit=unit, note=INTERNAL)
    base, mode = live_server.url, "elder" if elder else "normal"
    page = phone(browser, base, elder)
    resident_login(page, base)
    badge = page.locator("#nav-messages")
    assert "消息" in badge.inner_text() and "2" in badge.inner_text()
    badge.click()
    main = page.locator("main").inner_text()
    assert f"您的诉求 {appeal.number} 已受理" in main and "已转交办理单位" in main and INTERNAL not in main
    page.screenshot(path=str(shots / f"resident-messages-{mode}.png"), full_page=True)
    no_serious_violations(page, shots, f"resident-messages-{mode}")
    page.locator("main li").first.locator("button").click()
    assert page.url.endswith(f"/me/appeals/{appeal.pk}/")
    assert "1" in page.locator("#nav-messages").inner_text()


def _to_the_location_step(page, base):
    resident_login(page, base)
    page.goto(f"{base}/appeals/new/")
    page.fill("#text", "小区门口的垃圾堆了三天没人清运，气味很大")
    page.click("main button[type=submit]")


def test_the_location_map_asks_only_for_boundaries_that_exist_and_zooms_to_the_district(
    browser, live_server, people, shots
):
    base = live_server.url
    ctx = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"latitude": 22.5431, "longitude": 114.0579},
    )
    page = ctx.new_page()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    _to_the_location_step(page, base)
    page.wait_for_load_state("networkidle")
    assert not missing, missing
    widest = (
        "() => Math.max(...[...document.querySelectorAll('#pick-map path.leaflet-interactive')]"
        ".map(p => p.getBoundingClientRect().width))"
    )
    page.wait_for_function(
        "() => document.querySelectorAll('#pick-map path.leaflet-interactive').length >= 9"
    )
    before = page.evaluate(widest)
    page.select_option("#district", "440304")
    page.wait_for_timeout(800)
    after = page.evaluate(widest)
    assert after > before * 1.5, (before, after)  # zoomed in to 福田区
    page.click("#use-my-location")
    page.wait_for_function("() => document.querySelector('#lat').value !== ''")
    assert page.input_value("#lat").startswith("22.543") and page.input_value("#lng").startswith("114.057")
    assert "已在地图上标出您的位置" in page.locator("#pick-map-status").inner_text()
    page.screenshot(path=str(shots / "resident-location-normal.png"), full_page=True)
    no_serious_violations(page, shots, "resident-location-normal")


def test_a_refused_location_says_what_to_do_and_elder_mode_downloads_no_shapes(
    browser, live_server, people, shots
):
    base = live_server.url
    page = phone(browser, base, False)
    page.context.grant_permissions([])  # nothing granted: the browser refuses the position
    _to_the_location_step(page, base)
    page.click("#use-my-location")
    page.wait_for_function("() => document.querySelector('#pick-map-status').textContent.length > 10")
    assert "您没有允许本网站获取位置" in page.locator("#pick-map-status").inner_text()

    elder = phone(browser, base, True)
    asked = []
    elder.on("request", lambda r: asked.append(r.url) if "/geometry" in r.url or "leaflet" in r.url else None)
    _to_the_location_step(elder, base)
    elder.wait_for_load_state("networkidle")
    assert not asked and not elder.locator("#pick-map").is_visible()
    elder.screenshot(path=str(shots / "resident-location-elder.png"), full_page=True)
    no_serious_violations(elder, shots, "resident-location-elder")


NEIGHBOUR_TEXT = "华山社区3栋门口的垃圾桶满了，三天没人清运，我的电话13912345678"


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_resident_finds_the_same_problem_nearby_and_follows_it_instead_of_reporting_again(
    browser, live_server, people, shots, elder
):
    """附近已有相同问题？ (issue 21): a neighbour reported the same overflowing bins; 张伟 is shown it before he
    submits, in words and without the neighbour's name or phone, and presses 我也遇到了."""
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.models import User
    from shequ.accounts.roles import Role
    from shequ.appeals import services
    from shequ.appeals.models import Appeal, Supporter
    from shequ.geo.models import Area

    community = Area.objects.filter(parent__name="华富街道", level="community").order_by("code").first()
    neighbour = User.objects.create(username="wangdama", display_name="王大妈", phone="13912345678")
    grant_bootstrap(user=neighbour, role=Role.RESIDENT, area=community.parent, reason="test")
    theirs = services.appeal_submit(
        actor=neighbour,
        requester=neighbour,
        data=services.IntakeData(
            text=NEIGHBOUR_TEXT,
            channel="portal",
            category="sanitation",
            area=community.code,
            contact_name="王大妈",
            contact_phone="13912345678",
        ),
    )

    base, mode = live_server.url, "elder" if elder else "normal"
    me = Journey(phone(browser, base, elder), shots, f"resident-nearby-{mode}")
    page = me.page
    page.goto(f"{base}/accounts/resident/")
    me.look("sign-in")
    resident_login(page, base)
    me.look("signed-in")
    page.goto(f"{base}/appeals/new/")
    page.fill("#text", "小区门口的垃圾桶满了，好几天没人清运，很臭")
    page.select_option("#category_list", "sanitation")
    me.look("describe")
    page.click("main button[type=submit]")
    page.select_option("#district", "440304")
    page.click("button[name=go][value=refresh]")
    page.select_option("#street", label="华富街道")
    page.click("button[name=go][value=refresh]")
    page.select_option("#community", community.code)
    me.look("where")
    page.click("button[name=go][value=next]")

    # Before submitting: the same problem nearby, in his words and public-safe.
    nearby = page.locator("#nearby")
    expect(nearby).to_contain_text("附近已有相同问题？")
    shown = nearby.inner_text()
    assert "环境卫生" in shown and community.name in shown and "今天反映" in shown
    assert "已受理" in shown or "已转交办理单位" in shown
    assert "13912345678" not in shown and "139****5678" in shown and "王大妈" not in shown
    me.look("same-problem-nearby")
    mine_before = Appeal.objects.filter(requester__username="zhangwei").count()
    nearby.get_by_role("button", name="我也遇到了").click()

    expect(page.locator("#supported")).to_contain_text("我也遇到的问题")
    text = main_text(page)
    assert "已记下：您也遇到了这个问题" in text and "已有 1 位居民也遇到了" in text
    me.look("following")
    me.done()
    assert Appeal.objects.filter(requester__username="zhangwei").count() == mine_before
    assert Supporter.objects.filter(appeal=theirs, user__username="zhangwei").exists()
