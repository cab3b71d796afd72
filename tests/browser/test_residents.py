"""The residents' register as the community worker uses it (issue 21 follow-up: never walked): 李娜 finds a resident
by name, sees the ID number and phone masked, reveals the phone for a stated purpose (the reveal is audited with
that purpose), and downloads the masked export; on a desktop and on her phone in elder mode."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, Journey, staff_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.mark.parametrize("device", ["desktop", "phone-elder"])
def test_a_community_worker_finds_a_resident_reveals_the_phone_for_a_purpose_and_exports_masked(
    browser, live_server, cast_world, shots, device
):
    from shequ.access.scoping import can
    from shequ.accounts.roles import Action
    from shequ.audit.models import AuditEntry
    from shequ.emergency.tests.helpers import community, person

    huafu = community("440304", "华富街道")
    wang = person(huafu, phone="13900000102", name="王秀英", tags=["elderly_alone"])
    person(huafu, phone="13900000103", name="陈明")
    base = live_server.url
    phone = device == "phone-elder"
    context = browser.new_context(viewport=PHONE if phone else {"width": 1280, "height": 900}, locale="zh-CN")
    if phone:
        context.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
    page = context.new_page()
    staff_login(page, base, "lina")
    me = Journey(page, shots, f"residents-worker-{device}")
    me.look("console")
    page.get_by_role("link", name="居民", exact=True).first.click()
    expect(page.locator("main h1")).to_have_text("居民")
    me.look("residents")
    page.fill("#f-q", "王秀英")
    page.get_by_role("button", name="查询").click()
    row = page.locator("tbody tr", has_text="王秀英")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("139****0102")
    assert "13900000102" not in page.locator("main").inner_text()
    id_text = row.locator("code").inner_text()
    assert "*" in id_text and not re.fullmatch(r"\d{17}[\dX]", id_text), id_text
    # Special groups are sensitive: shown only to those who serve them.
    assert ("独居老人" in row.inner_text()) == can(cast_world["lina"], Action.CARE_GROUPS_VIEW)
    me.look("found")

    row.get_by_placeholder(re.compile("用途")).fill("上门走访核实独居情况")
    row.get_by_role("button", name="查看明文").click()
    expect(row.locator(f"#reveal-{wang.pk}")).to_contain_text("13900000102")
    if phone:
        # The page fits the phone: the table scrolls inside itself (it was 704 px wide before app.css kept the
        # table's visually hidden texts inside it).
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    me.look("revealed")
    entry = AuditEntry.objects.filter(action="resident.reveal", object_id=str(wang.pk)).latest("pk")
    assert "上门走访核实独居情况" in entry.purpose

    with page.expect_download() as got:
        page.get_by_role("link", name=re.compile("导出 .csv")).click()
    body = open(got.value.path(), encoding="utf-8-sig").read()
    assert "王秀英" in body and "139****0102" in body and "13900000102" not in body
    me.done()
