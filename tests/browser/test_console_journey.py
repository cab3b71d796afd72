"""A day in the staff console (issue 21), in a real browser on a desktop: the dispatcher 孙丽 sees her to-do counts,
opens the queue and the appeal, categorises it (only categorises: re-dispatching is a separate button), dispatches
it to a unit picked by name; the handler 刘洋 sees it counted for his unit, signs for it, calls the resident through
the privacy-number bridge (the demo one), records the contact and replies. Every page is checked in Chinese and
audited with axe-core (no serious or critical violations); screenshots console-*.png."""

import re

import pyotp
import pytest

from shequ.demo.cast import DEMO_PASSWORD, demo_totp_secret

from .restore import restore_migrated_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def appeal(transactional_db):
    from shequ.appeals.services import IntakeData, appeal_submit
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    restore_migrated_data()
    cast = ensure_cast()
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    community = Area.objects.filter(parent=huafu, level="community").order_by("code").first()
    yield appeal_submit(
        actor=cast["zhangwei"],
        requester=cast["zhangwei"],
        data=IntakeData(
            text="小区门口的垃圾桶三天没人清理了，味道很大，苍蝇很多",
            channel="portal",
            area=community.code,
            contact_name="张伟",
            contact_phone="13800000001",
        ),
    )
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def sign_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_identifier", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.fill("#id_code", pyotp.TOTP(demo_totp_secret(username)).now())
    page.click("main button[type=submit]")
    assert page.url.endswith("/console/"), page.url
    return page


def look(page, shots, name):
    page.screenshot(path=str(shots / f"console-{name}.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    problems = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not problems, (name, problems)


def said(page) -> str:
    """The messages the page shows after an action."""
    return " ".join(page.locator(".alert").all_inner_texts())


def act(page, action):
    page.click(f'form[action$="/{action}/"] button')


def test_a_dispatcher_and_a_handler_work_an_appeal_through_the_console(browser, live_server, appeal, shots):
    base = live_server.url

    # 孙丽, the 12345 dispatcher: her home counts what waits for her.
    sunli = sign_in(browser, base, "sunli")
    todo = sunli.locator("a.card", has_text="待派单")
    assert todo.locator(".fs-3").inner_text() == "1"
    assert "延期待审批" in sunli.content()
    look(sunli, shots, "1-dispatcher-home")

    todo.click()
    row = sunli.locator("tr", has_text=appeal.number)
    assert "垃圾桶" in row.inner_text()
    look(sunli, shots, "2-queue")

    sunli.click(f"text={appeal.number}")
    assert "张* 138****0001" in sunli.content() or "138****0001" in sunli.content()
    # The category list starts on the suggestion; 分类 alone moves nothing, and says what it did.
    chosen = sunli.locator("#category-new option:checked").inner_text()
    assert chosen.strip()
    sunli.click("button[name=redispatch][value='0']")
    assert "已分类为" in sunli.locator(".alert").first.inner_text()
    assert "已按职责清单派给" not in sunli.content()
    look(sunli, shots, "3-categorised")

    # The unit is picked by its name, not typed as a code.
    unit = "福田区城市管理和综合执法局"
    assert sunli.locator(f'#units-dispatch option[value="{unit}"]').count() == 1
    sunli.fill("#unit-dispatch", unit)
    sunli.fill("#note-dispatch", "请尽快清运")
    act(sunli, "dispatch")
    assert "已完成：派单" in said(sunli), said(sunli)
    assert "城市管理和综合执法局" in sunli.content()
    look(sunli, shots, "4-dispatched")

    # 刘洋, the handler at 福田区城市管理和综合执法局: his unit's queue counts it.
    liuyang = sign_in(browser, base, "liuyang")
    to_sign = liuyang.locator("a.card", has_text="待签收")
    assert to_sign.locator(".fs-3").inner_text() == "1"
    look(liuyang, shots, "5-handler-home")
    to_sign.click()
    liuyang.click(f"text={appeal.number}")
    act(liuyang, "sign_for")
    assert "已完成：签收" in liuyang.content()

    # He cannot see the phone; he calls through a privacy number (the demo bridge calls nobody).
    assert "13800000001" not in liuyang.content()
    liuyang.click("#call-card button")
    message = liuyang.locator(".alert").first.inner_text()
    assert re.search(r"虚拟号码 0755-8\d{3}-\d{4}", message) and "演示通道" in message, message
    assert "呼叫诉求人" in liuyang.locator(".timeline").inner_text()
    look(liuyang, shots, "6-called")

    liuyang.fill("#note-contact", "已通过隐私号联系诉求人，约定今天下午清运")
    act(liuyang, "contact")
    assert "已完成：联系诉求人" in liuyang.content()
    liuyang.fill("#note-reply", "已安排清运，垃圾桶已清理并消毒，今后每日清运一次。")
    act(liuyang, "reply")
    assert "已完成：答复" in liuyang.content()
    assert "已答复" in liuyang.locator("h1").inner_text()
    look(liuyang, shots, "7-replied")
