"""Issue 23 in a real browser: a resident reports 电梯困人 on a phone in elder mode and answers 有人被困 → she is told at once that
it is treated as urgent, with the number to call (119) → the 12345 dispatcher sees it in the emergency queue with
its countdown to the 20-minute deadline and dispatches it."""

import re

import pytest

from .test_photos import people, staff_login  # noqa: F401  (fixtures and helpers of the photo journey)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_trapped_person_reported_on_a_phone_is_dispatched_from_the_emergency_queue(
    browser,
    live_server,
    people,  # noqa: F811
    shots,
):
    base = live_server.url
    phone = browser.new_context(viewport={"width": 412, "height": 880})
    # 长辈模式 (elder mode): the question's answers must be big enough to tap.
    phone.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
    resident = phone.new_page()
    resident.goto(f"{base}/accounts/resident/")
    resident.fill("#pw_phone", "13800000001")  # 张伟
    from shequ.demo.cast import DEMO_PASSWORD

    resident.fill("#pw_password", DEMO_PASSWORD)
    resident.click("form:has(input[value=password]) button[type=submit]")
    resident.goto(f"{base}/appeals/new/")
    resident.fill("#text", "3栋的电梯坏了，停着不动")  # no danger word: the answer decides
    resident.select_option("#category_list", "elevator")
    resident.click("main button[type=submit]")
    resident.select_option("#district", "440304")
    resident.click("button[name=go][value=refresh]")
    resident.select_option("#street", label="华富街道")
    resident.click("button[name=go][value=refresh]")
    resident.select_option("#community", index=1)
    resident.click("button[name=go][value=next]")
    assert resident.url.endswith("/appeals/new/confirm/"), resident.locator("main").inner_text()
    assert "是否有人被困" in resident.locator("main").inner_text()
    answer = resident.get_by_text("有人被困", exact=True)
    assert answer.bounding_box()["height"] >= 40  # a big button in elder mode, not a small radio label
    answer.click()
    resident.screenshot(path=str(shots / "emergency-question.png"), full_page=True)
    resident.click("main button.btn-success")
    assert re.search(r"/me/appeals/\d+/$", resident.url), resident.locator("main").inner_text()
    notice = resident.locator("#urgent-notice")
    assert "紧急" in notice.inner_text() and "119" in notice.inner_text()
    assert notice.locator("a[href='tel:119']").count() == 1
    number = resident.locator("h1").inner_text().split()[0]
    resident.screenshot(path=str(shots / "emergency-resident-notice.png"), full_page=True)

    dispatcher = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_login(dispatcher, base, "sunli")
    dispatcher.goto(f"{base}/console/emergencies/")
    row = dispatcher.locator("tr", has_text=number)
    assert row.count() == 1 and "新" in row.inner_text() and "人员被困" in row.inner_text()
    countdown = row.locator(".countdown")
    assert re.fullmatch(r"1\d:\d\d", countdown.inner_text()), countdown.inner_text()
    first = countdown.inner_text()
    dispatcher.wait_for_timeout(1500)
    assert countdown.inner_text() != first  # it ticks between the page's polls
    dispatcher.screenshot(path=str(shots / "emergency-queue.png"), full_page=True)

    row.locator("a", has_text=number).click()
    assert "回答：是否有人被困：有人被困" in dispatcher.locator("#urgency-reason").inner_text()
    dispatcher.fill("#unit-dispatch", "440304-CG")
    dispatcher.locator("form:has(#unit-dispatch) button").click()
    assert "已派单" in dispatcher.locator("h1").inner_text()
    dispatcher.goto(f"{base}/console/emergencies/")
    assert "已派单" in dispatcher.locator("tr", has_text=number).inner_text()
    dispatcher.screenshot(path=str(shots / "emergency-queue-dispatched.png"), full_page=True)
