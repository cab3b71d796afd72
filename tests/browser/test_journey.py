"""The whole 民生诉求 loop in a real browser, then accessibility and screenshots of every main page.

A resident submits → the dispatcher dispatches → the community worker signs for it and replies → the resident
rates 不满意 → it reopens → the leaders' dashboard's figures change. Every page is audited with axe-core (zero
serious or critical violations) in normal and elder mode, and screenshotted into var/screenshots/.
"""

import json
import re

import pytest

from .helpers import axe_violations, resident_login, staff_login

# Imported from here by other journeys (test_keyboard, test_resident_loop): the shared helpers' names.
__all__ = ["axe_violations", "resident_login", "staff_login", "world"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def world(cast_world):
    from shequ.accounts.models import Unit
    from shequ.facilities.demo import seed_facilities
    from shequ.geo.models import Area

    unit = Unit.objects.get(grants__user=cast_world["lina"])
    seed_facilities(seed=1, streets=Area.objects.filter(code="440304009").select_related("parent"))
    return {"cast": cast_world, "lina_unit": unit}


def received(page, base) -> int:
    page.goto(f"{base}/dashboard/")
    return int(page.locator(".stat-card .value").first.inner_text())


def test_a_resident_appeal_goes_round_the_loop_and_the_dashboard_changes(browser, live_server, world, shots):
    base = live_server.url
    leader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_login(leader, base, "chenjing")
    before = received(leader, base)

    resident = browser.new_context(viewport={"width": 412, "height": 880}).new_page()
    resident_login(resident, base)
    resident.goto(f"{base}/appeals/new/")
    resident.fill("#text", "小区门口的垃圾堆了三天没人清运，气味很大")
    resident.click("main button[type=submit]")
    # The picker's server round trip (the no-JavaScript path; htmx only shortens it).
    resident.select_option("#district", "440304")
    resident.click("button[name=go][value=refresh]")
    resident.select_option("#street", label="华富街道")
    resident.click("button[name=go][value=refresh]")
    resident.select_option("#community", world["lina_unit"].area.code)
    resident.click("button[name=go][value=next]")
    resident.click("main button.btn-success")
    assert re.search(r"/me/appeals/\d+/$", resident.url)
    appeal_url = resident.url
    number = resident.locator("h1").inner_text().split()[0]

    dispatcher = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_login(dispatcher, base, "sunli")
    dispatcher.goto(f"{base}/console/appeals/?queue=to_dispatch")
    dispatcher.click(f"text={number}")
    dispatcher.fill("#unit-dispatch", world["lina_unit"].code)
    dispatcher.click("form[action$='/dispatch/'] button")
    assert "已派单" in dispatcher.locator("h1").inner_text()

    worker = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_login(worker, base, "lina")
    worker.goto(dispatcher.url)
    worker.click("form[action$='/sign_for/'] button")
    worker.fill("#note-reply", "已安排保洁员清运，现场已清理干净。")
    worker.click("form[action$='/reply/'] button")
    assert "已答复" in worker.locator("h1").inner_text()

    resident.goto(appeal_url)
    resident.check("#rate-2")  # 不满意
    resident.check("#res-no")
    resident.click("form[action$='/rate/'] button")
    assert "重新办理中" in resident.locator("h1").inner_text()  # in her words, not 已派单

    after = received(leader, base)
    assert after == before + 1
    page_text = leader.locator("main").inner_text()
    assert "满意率" in page_text


MAIN_PAGES = [
    ("home", "/", None),
    ("resident-login", "/accounts/resident/", None),
    ("staff-login", "/accounts/login/", None),
    ("report-step1", "/appeals/new/", "resident"),
    ("my-appeals", "/me/appeals/", "resident"),
    ("console", "/console/", "sunli"),
    ("console-appeals", "/console/appeals/?queue=", "sunli"),
    ("dashboard", "/dashboard/", "chenjing"),
    ("residents", "/console/residents/", "lina"),
    ("audit", "/console/audit/", "zhaomin"),
    ("services", "/services/?street=440304009", None),
    ("services-resident", "/services/", "resident"),
    ("notices", "/notices/", "resident"),
    ("console-notices", "/console/notices/", "lina"),
]


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_main_pages_have_no_serious_accessibility_violations(browser, live_server, world, shots, elder):
    base = live_server.url
    pages = {}
    for who in {w for _, _, w in MAIN_PAGES}:
        ctx = browser.new_context(
            viewport={"width": 1280 if who not in (None, "resident") else 412, "height": 900}
        )
        if elder:
            ctx.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
        page = ctx.new_page()
        if who == "resident":
            resident_login(page, base)
        elif who is not None:
            staff_login(page, base, who)
        pages[who] = page
    problems = {}
    mode = "elder" if elder else "normal"
    for name, path, who in MAIN_PAGES:
        page = pages[who]
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        if elder:
            assert "elder" in (page.locator("html").get_attribute("class") or "")
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 18, (name, size)
        page.screenshot(path=str(shots / f"{name}-{mode}.png"), full_page=True)
        found = axe_violations(page)
        if found:
            problems[name] = found
    (shots / f"axe-{mode}.json").write_text(
        json.dumps(problems, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    assert not problems, f"serious or critical accessibility violations: see {shots / f'axe-{mode}.json'}"
