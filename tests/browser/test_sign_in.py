"""Signing in on a phone in a real browser: a resident with the demo channel's text-message code, and a staff
member refused at the residents' page as a wrong password is (issue 19)."""

import re

import pytest

from shequ.demo.cast import DEMO_PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_resident_signs_in_with_the_code_the_demo_channel_shows(browser, live_server, cast_world, shots):
    base = live_server.url
    page = browser.new_context(viewport={"width": 412, "height": 880}).new_page()
    page.goto(f"{base}/accounts/resident/")
    page.fill("#code-phone", "13800000001")
    page.click("form[action$='/resident/code/'] button")
    demo = page.locator(".alert-warning").inner_text()
    assert "演示短信" in demo and "演示通道" in demo
    page.screenshot(path=str(shots / "resident-login-demo-sms.png"), full_page=True)
    page.fill("#code_code", re.search(r"\d{6}", demo).group(0))
    with page.expect_navigation():
        page.click("form:has(input[value=code]) button[type=submit]")
    assert "/accounts/resident/" not in page.url, page.url

    # Another browser sees no code.
    other = browser.new_context(viewport={"width": 412, "height": 880}).new_page()
    other.goto(f"{base}/accounts/resident/?sent=1")
    assert "演示短信" not in other.locator("main").inner_text()


def test_staff_are_refused_at_the_residents_page(browser, live_server, cast_world):
    page = browser.new_context(viewport={"width": 412, "height": 880}).new_page()
    page.goto(f"{live_server.url}/accounts/resident/")
    page.fill("#pw_phone", "13800000002")  # 李娜, a community worker
    page.fill("#pw_password", DEMO_PASSWORD)
    page.click("form:has(input[value=password]) button[type=submit]")
    assert "账号或密码错误" in page.locator("[role=alert]").inner_text()
    assert "/accounts/resident/" in page.url
