"""The time bank as a family lives it, on phones (issue 24).

张伟 has credits from his volunteering (seeded through timebank_earn_for_hours, as the volunteers' confirmation
does); he declares his mother, who lives in his household, and transfers 2 时间币 to her. She, in elder mode, asks
for a visit and offers 1 时间币; a neighbour who volunteers accepts, and when she confirms the visit happened he is
paid. Every step is asserted on what the person reads, in Chinese; pages are checked with axe-core and
screenshotted."""

from __future__ import annotations

import json
from datetime import date

import pytest
from playwright.sync_api import expect

from shequ.demo.cast import DEMO_PASSWORD

from .restore import restore_migrated_data
from .test_journey import axe_violations

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
MOTHER_PHONE = "13800000031"
HELPER_PHONE = "13800000032"


@pytest.fixture
def family(transactional_db):
    from shequ.audit.tests.tampering import wipe

    try:
        yield _family()
    finally:
        wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def _family() -> dict:
    import importlib

    from django.apps import apps

    from shequ.accounts.models import User
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area
    from shequ.residents.models import Tag
    from shequ.timebank.services import timebank_earn_for_hours
    from shequ.timebank.tests.helpers import hours_record, resident_for

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    restore_migrated_data()
    if not Tag.objects.exists():  # ... the special groups of the residents' data migration too
        importlib.import_module("shequ.residents.migrations.0002_default_tags").load(apps, None)
    cast = ensure_cast()
    zhangwei = cast["zhangwei"]
    home = resident_for(zhangwei, name="张伟")
    mother = User(username="wangxiulan", display_name="王秀兰", phone=MOTHER_PHONE, synthetic=True)
    mother.set_password(DEMO_PASSWORD)
    mother.save()
    resident_for(mother, household=home.household, born=date(1948, 4, 2), name="王秀兰", tags=["elderly_80"])
    helper = User(username="liqiang", display_name="李强", phone=HELPER_PHONE, synthetic=True)
    helper.set_password(DEMO_PASSWORD)
    helper.save()
    resident_for(helper, name="李强")
    timebank_earn_for_hours(hours_record(zhangwei, 300))  # 5 时间币 from confirmed hours
    return {"zhangwei": zhangwei, "mother": mother, "helper": helper}


def phone(browser, base, *, elder=False):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    if elder:
        ctx.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
    return ctx.new_page()


def sign_in(page, base, number):
    page.goto(f"{base}/accounts/resident/")
    page.fill("#pw_phone", number)
    page.fill("#pw_password", DEMO_PASSWORD)
    page.click("form:has(input[value=password]) button[type=submit]")
    page.wait_for_url(f"{base}/")


def checked(page, shots, name):
    page.screenshot(path=str(shots / f"timebank-{name}.png"), full_page=True)
    found = axe_violations(page)
    (shots / f"timebank-{name}-axe.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), "utf-8")
    assert not found, found


def test_a_son_transfers_to_his_mother_who_pays_a_visit_in_credits(browser, live_server, family, shots):
    from shequ.timebank import ledger
    from shequ.timebank.models import Account, HelpRequest

    base = live_server.url

    # 1. 张伟 sees what his volunteering earned, declares his mother and transfers 2 时间币 to her.
    son = phone(browser, base)
    sign_in(son, base, "13800000001")
    son.get_by_role("link", name="时间银行").first.click()
    expect(son.locator("#tb-balance")).to_contain_text("5 时间币")
    expect(son.locator("#tb-history")).to_contain_text("志愿服务获得")
    son.get_by_role("link", name="家人", exact=True).click()
    son.fill("#phone", MOTHER_PHONE)
    son.fill("#relation", "母亲")
    son.get_by_role("button", name="登记").click()
    expect(son.get_by_role("status")).to_contain_text("亲属关系已确认：你们同属一户。")
    expect(son.locator("#tb-family")).to_contain_text("王** · 母亲")
    son.get_by_role("link", name="转赠与捐赠", exact=True).click()
    son.get_by_label("我的母亲").check()
    son.fill("#amount", "2")
    son.get_by_role("button", name="确认转出").click()
    expect(son.get_by_role("status")).to_contain_text("已转给您的母亲 2 时间币。")
    expect(son.locator("#tb-balance")).to_contain_text("3 时间币")
    expect(son.locator("#tb-history")).to_contain_text("转赠家人")
    checked(son, shots, "son-after-transfer")

    # 2. His mother, in elder mode, sees the 2 时间币 and asks for a visit, offering 1.
    mother = phone(browser, base, elder=True)
    sign_in(mother, base, MOTHER_PHONE)
    mother.goto(f"{base}/me/timebank/")
    expect(mother.locator("#tb-balance")).to_contain_text("2 时间币")
    mother.get_by_role("link", name="我要求助", exact=True).click()
    mother.get_by_label("上门探访聊天").check()
    mother.fill("#description", "周六下午来家里陪我聊聊天")
    mother.fill("#amount", "1")
    mother.get_by_role("button", name="我要求助").click()
    expect(mother.get_by_role("status")).to_contain_text("求助已发布")
    expect(mother.locator("#help-status")).to_have_text("等待志愿者接单")
    checked(mother, shots, "mother-asks-elder")
    request = HelpRequest.objects.get(requester=family["mother"])

    # 3. A neighbour who volunteers finds the request and accepts it: her credit is held.
    helper = phone(browser, base)
    sign_in(helper, base, HELPER_PHONE)
    helper.goto(f"{base}/timebank/help/")
    helper.get_by_role("link", name="上门探访聊天").click()
    helper.get_by_role("button", name="我来帮忙").click()
    expect(helper.get_by_role("status")).to_contain_text("谢谢您接单")
    expect(helper.locator("#help-status")).to_have_text("志愿者已接单")
    assert Account.objects.get(owner=family["mother"]).balance == 60  # 1 of 2 held in escrow

    # 4. The visit happened: she confirms, and the helper is paid.
    mother.goto(f"{base}/me/timebank/help/{request.pk}/")
    expect(mother.locator("#help-status")).to_have_text("志愿者已接单")
    mother.get_by_role("button", name="已完成，支付给志愿者").click()
    expect(mother.get_by_role("status")).to_contain_text("已完成：已向志愿者支付 1 时间币。")
    expect(mother.locator("#help-status")).to_have_text("已完成并支付")
    checked(mother, shots, "mother-paid-elder")
    mother.goto(f"{base}/me/timebank/")
    expect(mother.locator("#tb-balance")).to_contain_text("1 时间币")

    helper.goto(f"{base}/me/timebank/")
    expect(helper.locator("#tb-balance")).to_contain_text("1 时间币")
    expect(helper.locator("#tb-history")).to_contain_text("求助服务支付")
    checked(helper, shots, "helper-paid")

    request.refresh_from_db()
    assert request.status == "completed" and request.response_seconds is not None
    assert ledger.verify().ok


def test_a_community_worker_issues_credits_to_a_key_elder_and_reads_the_settlement(
    browser, live_server, family, shots
):
    from shequ.timebank.models import Account, Transfer
    from shequ.timebank.services import goods_add, goods_redeem, store_open
    from shequ.timebank.tests.helpers import community

    from .helpers import staff_page

    # 张伟 (华富) redeems at a store in 粤海: spent elsewhere, the settlement's business.
    store = store_open(actor=None, name="粤海爱心超市", area=community("440305", "粤海街道"))
    goods_redeem(
        actor=family["zhangwei"], goods=goods_add(actor=None, store=store, name="毛巾", price=60, stock=3)
    )

    base = live_server.url
    page = staff_page(browser, base, "lina")
    page.get_by_role("link", name="时间银行").click()
    expect(page.get_by_role("heading", name="时间银行", exact=True)).to_be_visible()
    page.get_by_role("link", name="向重点老人发放时间币").click()
    page.select_option(
        "#resident", label=page.locator("#resident option", has_text="王**").first.inner_text()
    )
    page.fill("#amount", "2")
    page.fill("#reason", "重点老人月度发放")
    page.get_by_role("button", name="发放", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已向王**发放 2 时间币。")
    expect(page.locator("table")).to_contain_text("重点老人月度发放")
    checked(page, shots, "console-issue")
    assert Account.objects.get(owner=family["mother"]).balance == 120
    assert Transfer.objects.get(kind="issue").actor.username == "lina"

    page.goto(f"{base}/console/timebank/settlement/")
    row = page.locator("#settlement tbody tr", has_text="华富街道").first
    expect(row.locator("td").nth(0)).to_have_text("5")  # earned at home: 张伟's volunteering
    expect(row.locator("td").nth(3)).to_have_text("1")  # spent elsewhere: the towel in 粤海
    checked(page, shots, "console-settlement")
