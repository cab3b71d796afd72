"""Emergency warnings as they are lived (issue 28): 王强, street officer of 粤海街道, publishes a red typhoon warning
on a desktop (a first try without an area is refused and keeps what he typed); residents of the community see the
banner on their phones, one in normal mode and one in elder mode, and confirm it; the grid worker's call list of
vulnerable people shrinks as they confirm, and to nothing when he records the call to the elder without a phone.
Every page each person loads is looked at (helpers.Journey: screenshot, Chinese, axe-core)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, Journey, main_text, phone_page, resident_login, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

READER_PHONE = "13900000201"
ELDER_PHONE = "13900000202"


@pytest.fixture
def street(cast_world) -> dict:
    import importlib

    from django.apps import apps

    from shequ.accounts.models import User
    from shequ.accounts.roles import Role
    from shequ.demo.cast import demo_totp_secret
    from shequ.emergency.tests.helpers import community, person, staff
    from shequ.residents.models import Tag

    if not Tag.objects.exists():
        importlib.import_module("shequ.residents.migrations.0002_default_tags").load(apps, None)
    a = community(index=0)
    grid = staff("em_grid", Role.GRID_WORKER, a, "郑网格")
    User.objects.filter(pk=grid.pk).update(totp_secret=demo_totp_secret("em_grid"))
    return {
        "a": a,
        "reader": person(a, account=True, phone=READER_PHONE, name="林小红", username="em_linxh"),
        "elder": person(
            a, account=True, phone=ELDER_PHONE, name="王秀英", tags=["elderly_alone"], username="em_wangxy"
        ),
        "nophone": person(a, tags=["dibao"], name="陈阿婆"),
    }


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_an_officer_warns_residents_confirm_on_their_phones_and_the_call_list_shrinks(
    browser, live_server, street, shots
):
    base = live_server.url
    a = street["a"]

    # 1. 王强 publishes on a desktop; the first try has no area.
    officer = staff_page(browser, base, "wangqiang")
    me = Journey(officer, shots, "emergency-officer")
    me.look("console")
    officer.get_by_role("link", name="应急管理").click()
    me.look("emergency")
    officer.get_by_role("link", name="发布预警").click()
    me.look("new")
    officer.select_option("#hazard", "typhoon")
    officer.get_by_label("红色").check()
    officer.fill("#message", "台风“海燕”今夜登陆，请留在室内，远离门窗，低洼地带居民听从转移安排。")
    officer.get_by_role("button", name="发布预警").click()
    expect(officer.locator("#areas-error")).to_have_text("请至少选择一个预警覆盖的区域。")
    expect(officer.locator("#message")).to_have_value(
        "台风“海燕”今夜登陆，请留在室内，远离门窗，低洼地带居民听从转移安排。"
    )
    expect(officer.get_by_label("红色")).to_be_checked()
    me.look("refused")
    officer.get_by_label(a.name, exact=True).check()
    officer.get_by_role("button", name="发布预警").click()
    expect(officer.get_by_role("status")).to_contain_text("预警已发布")
    expect(officer.locator("h1")).to_contain_text("红色台风预警")
    expect(officer.locator("#em-speakers")).to_contain_text(a.name)
    expect(officer.locator("#em-vulnerable-open")).to_have_text("2 / 2")
    me.look("published")
    me.done()

    # 2. The grid worker's call list: the two vulnerable people who have not confirmed.
    grid = staff_page(browser, base, "em_grid")
    gw = Journey(grid, shots, "emergency-grid")
    gw.look("console")
    grid.get_by_role("link", name="预警呼叫名单").click()
    gw.look("warnings")
    grid.get_by_role("link", name="红色台风预警").click()
    expect(grid.locator("#em-call-count")).to_have_text("还需联系 2 人")
    expect(grid.locator("#em-calls")).to_contain_text("王秀英")
    expect(grid.locator("#em-calls")).to_contain_text("陈阿婆")
    expect(grid.locator("#em-calls")).to_contain_text("独居老人")
    assert ELDER_PHONE not in main_text(grid)  # masked
    gw.look("calls")

    # 3. 林小红 (phone, normal mode) sees the banner on the portal and confirms.
    reader = phone_page(browser, base)
    resident_login(reader, base, READER_PHONE)
    rd = Journey(reader, shots, "emergency-reader")
    banner = reader.locator("#em-banner")
    expect(banner).to_contain_text("红色台风预警")
    expect(banner).to_contain_text("台风“海燕”今夜登陆")
    fits_the_phone(reader)
    rd.look("banner")
    banner.get_by_role("button", name="我已收到").click()
    expect(reader.get_by_role("status")).to_contain_text("谢谢，已确认您收到预警。")
    expect(banner).to_contain_text("已确认收到")
    rd.look("confirmed")
    rd.done()

    # 4. 王秀英 (phone, elder mode) confirms on the warning's page.
    elder = phone_page(browser, base, elder=True)
    resident_login(elder, base, ELDER_PHONE)
    el = Journey(elder, shots, "emergency-elder")
    assert elder.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    expect(elder.locator("#em-banner")).to_contain_text("红色台风预警")
    el.look("banner")
    elder.locator("#em-banner").get_by_role("link", name="详情和避难场所").click()
    expect(elder.locator("#em-message")).to_contain_text("台风“海燕”今夜登陆")
    fits_the_phone(elder)
    el.look("detail")
    elder.locator("section:has(#em-message)").get_by_role("button", name="我已收到").click()
    expect(elder.locator("#em-ack")).to_contain_text("您已于")
    el.look("confirmed")
    el.done()

    # 5. The call list shrank to one; the grid worker phones 陈阿婆 (no phone on record: he visits) and it is empty.
    grid.reload()
    expect(grid.locator("#em-call-count")).to_have_text("还需联系 1 人")
    expect(grid.locator("#em-calls")).not_to_contain_text("王秀英")
    gw.look("calls-shrunk")
    grid.locator("#em-calls li", has_text="陈阿婆").get_by_role("button", name="已上门告知").click()
    expect(grid.get_by_role("status")).to_contain_text("已登记：已告知此人。")
    expect(grid.locator("#em-call-count")).to_have_text("还需联系 0 人")
    expect(grid.locator("#em-calls")).to_contain_text("您辖区内的困难群体均已确认收到预警。")
    gw.look("calls-empty")
    gw.done()
