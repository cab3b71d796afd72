"""A day in the staff console (issue 21), in a real browser on a desktop: the dispatcher 孙丽 sees her to-do counts,
opens the queue and the appeal, categorises it (only categorises: re-dispatching is a separate button), dispatches
it to a unit picked by name; the handler 刘洋 sees it counted for his unit, signs for it, calls the resident through
the privacy-number bridge (the demo one), records the contact and replies. Every page is checked in Chinese and
audited with axe-core (no serious or critical violations); screenshots var/screenshots/console-*.png."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import Journey, said, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def appeal(cast_world):
    from shequ.appeals.services import IntakeData, appeal_submit
    from shequ.geo.models import Area

    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    community = Area.objects.filter(parent=huafu, level="community").order_by("code").first()
    return appeal_submit(
        actor=cast_world["zhangwei"],
        requester=cast_world["zhangwei"],
        data=IntakeData(
            text="小区门口的垃圾桶三天没人清理了，味道很大，苍蝇很多",
            channel="portal",
            area=community.code,
            contact_name="张伟",
            contact_phone="13800000001",
        ),
    )


def act(page, action):
    page.click(f'form[action$="/{action}/"] button')


def test_a_dispatcher_and_a_handler_work_an_appeal_through_the_console(browser, live_server, appeal, shots):
    base = live_server.url

    # 孙丽, the 12345 dispatcher: her home counts what waits for her.
    dispatcher = Journey(staff_page(browser, base, "sunli"), shots, "console-dispatcher")
    sunli = dispatcher.page
    todo = sunli.locator("a.card", has_text="待派单")
    assert todo.locator(".fs-3").inner_text() == "1"
    assert "延期待审批" in sunli.content()
    dispatcher.look("home")

    todo.click()
    row = sunli.locator("tr", has_text=appeal.number)
    assert "垃圾桶" in row.inner_text()
    dispatcher.look("queue")

    sunli.click(f"text={appeal.number}")
    # The caller's phone, masked (waits for the appeal's page: read at once, content() caught the navigation).
    expect(sunli.locator("main")).to_contain_text("138****0001")
    # The category list starts on the suggestion; 分类 alone moves nothing, and says what it did.
    chosen = sunli.locator("#category-new option:checked").inner_text()
    assert chosen.strip()
    sunli.click("button[name=redispatch][value='0']")
    assert "已分类为" in sunli.locator(".alert").first.inner_text()
    assert "已按职责清单派给" not in sunli.content()
    dispatcher.look("categorised")

    # The unit is picked by its name, not typed as a code.
    unit = "福田区城市管理和综合执法局"
    assert sunli.locator(f'#units-dispatch option[value="{unit}"]').count() == 1
    sunli.fill("#unit-dispatch", unit)
    sunli.fill("#note-dispatch", "请尽快清运")
    act(sunli, "dispatch")
    assert "已完成：派单" in said(sunli), said(sunli)
    assert "城市管理和综合执法局" in sunli.content()
    dispatcher.look("dispatched")
    # The timeline badges the dispatcher's note as hers, not the resident's (issue 21).
    entry = sunli.locator("li.timeline-entry[data-action=dispatch]")
    assert "诉求人可见" in entry.locator("div").first.inner_text()
    assert "内部备注，仅工作人员可见" in entry.locator(".timeline-note").inner_text()
    assert "请尽快清运" in entry.locator(".timeline-note").inner_text()
    dispatcher.done()

    # 刘洋, the handler at 福田区城市管理和综合执法局: his unit's queue counts it.
    handler = Journey(staff_page(browser, base, "liuyang"), shots, "console-handler")
    liuyang = handler.page
    to_sign = liuyang.locator("a.card", has_text="待签收")
    assert to_sign.locator(".fs-3").inner_text() == "1"
    handler.look("home")
    to_sign.click()
    handler.look("queue")
    liuyang.click(f"text={appeal.number}")
    handler.look("appeal")
    act(liuyang, "sign_for")
    assert "已完成：签收" in liuyang.content()
    handler.look("signed-for")

    # He cannot see the phone; he calls through a privacy number (the demo bridge calls nobody).
    assert "13800000001" not in liuyang.content()
    liuyang.click("#call-card button")
    message = liuyang.locator(".alert").first.inner_text()
    assert re.search(r"虚拟号码 0755-8\d{3}-\d{4}", message) and "演示通道" in message, message
    assert "呼叫诉求人" in liuyang.locator(".timeline").inner_text()
    handler.look("called")

    liuyang.fill("#note-contact", "已通过隐私号联系诉求人，约定今天下午清运")
    act(liuyang, "contact")
    assert "已完成：联系诉求人" in liuyang.content()
    handler.look("contacted")
    liuyang.fill("#note-reply", "已安排清运，垃圾桶已清理并消毒，今后每日清运一次。")
    act(liuyang, "reply")
    assert "已完成：答复" in liuyang.content()
    assert "已答复" in liuyang.locator("h1").inner_text()
    handler.look("replied")
    handler.done()
