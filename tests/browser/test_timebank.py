"""The time bank as a family lives it, on phones and desktops, in normal and elder mode (issue 24).

张伟 has credits from his volunteering (seeded through timebank_earn_for_hours, as the volunteers' confirmation
does); he declares his mother, who lives in his household, and transfers 2 时间币 to her (a refused amount first:
what he typed stays). She, in elder mode, asks for a visit and offers 1 时间币; a neighbour who volunteers accepts
on a desktop, and when she confirms the visit happened he is paid. 李娜 issues credits to a key elderly resident and
reads the settlement report, on a desktop and on a phone. Every page each person loads is looked at (helpers.Journey:
screenshot, Chinese, axe-core) and asserted on what the person reads."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from shequ.demo.cast import DEMO_PASSWORD

from .helpers import DESKTOP, Journey, main_text, phone_page, resident_login, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

MOTHER_PHONE = "13800000031"
HELPER_PHONE = "13800000032"
ZHANGWEI_PHONE = "13800000001"
# What no page of the time bank may show a person: English labels, raw enum values, unlabelled amounts.
RAW = ("pending", "confirmed", "accepted", "completed", "open", "family:", "Time bank", "None")


@pytest.fixture
def family(cast_world) -> dict:
    import importlib

    from django.apps import apps

    from shequ.accounts.models import User
    from shequ.residents.models import Tag
    from shequ.timebank.services import timebank_earn_for_hours
    from shequ.timebank.tests.helpers import hours_record, resident_for

    if not Tag.objects.exists():  # the special groups of the residents' data migration, flushed before
        importlib.import_module("shequ.residents.migrations.0002_default_tags").load(apps, None)
    zhangwei = cast_world["zhangwei"]
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


def no_raw_words(page) -> None:
    text = main_text(page)
    found = [w for w in RAW if w in text]
    assert not found, (page.url, found)


def elder_mode_is_larger(page) -> None:
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20, size


def fits_the_phone(page) -> None:
    """Nothing but a table's own scroller is wider than the phone."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, (page.url, wide)


def test_a_son_transfers_to_his_mother_who_pays_a_visit_in_credits(browser, live_server, family, shots):
    from shequ.timebank import ledger
    from shequ.timebank.models import Account, HelpRequest

    base = live_server.url

    # 1. 张伟 (phone) sees what his volunteering earned, declares his mother and transfers 2 时间币 to her.
    son = phone_page(browser, base)
    resident_login(son, base, ZHANGWEI_PHONE)
    me = Journey(son, shots, "timebank-son")
    me.look("home")
    son.get_by_role("link", name="时间银行").first.click()
    expect(son.locator("#tb-balance")).to_contain_text("5 时间币")
    expect(son.locator("#tb-history")).to_contain_text("志愿服务获得")
    no_raw_words(son)
    fits_the_phone(son)
    me.look("account")
    son.get_by_role("link", name="家人", exact=True).click()
    me.look("family")
    son.fill("#phone", MOTHER_PHONE)
    son.fill("#relation", "母亲")
    son.get_by_role("button", name="登记").click()
    expect(son.get_by_role("status")).to_contain_text("亲属关系已确认：你们同属一户。")
    expect(son.locator("#tb-family")).to_contain_text("王** · 母亲")
    expect(son.locator("#tb-family")).to_contain_text("已确认")
    no_raw_words(son)
    me.look("family-declared")
    son.get_by_role("link", name="转赠与捐赠", exact=True).click()
    me.look("transfer")
    son.get_by_label("我的母亲").check()
    son.fill("#amount", "6")  # more than his 5
    son.fill("#memo", "给妈妈买菜")
    son.get_by_role("button", name="确认转出").click()
    expect(son.locator(".alert")).to_contain_text("余额不足")
    # What he typed is still there.
    expect(son.get_by_label("我的母亲")).to_be_checked()
    expect(son.locator("#amount")).to_have_value("6")
    expect(son.locator("#memo")).to_have_value("给妈妈买菜")
    fits_the_phone(son)
    me.look("transfer-refused")
    son.fill("#amount", "2")
    son.get_by_role("button", name="确认转出").click()
    expect(son.get_by_role("status")).to_contain_text("已转给您的母亲 2 时间币。")
    expect(son.locator("#tb-balance")).to_contain_text("3 时间币")
    expect(son.locator("#tb-history")).to_contain_text("转赠家人")
    me.look("after-transfer")
    me.done()

    # 2. His mother, on her phone in elder mode, sees the 2 时间币 and asks for a visit, offering 1.
    mother = phone_page(browser, base, elder=True)
    resident_login(mother, base, MOTHER_PHONE)
    her = Journey(mother, shots, "timebank-mother-elder")
    her.look("home")
    mother.goto(f"{base}/me/timebank/")
    expect(mother.locator("#tb-balance")).to_contain_text("2 时间币")
    elder_mode_is_larger(mother)
    fits_the_phone(mother)
    her.look("account")
    mother.get_by_role("link", name="我要求助", exact=True).click()
    her.look("ask")
    mother.get_by_label("上门探访聊天").check()
    mother.fill("#description", "周六下午来家里陪我聊聊天")
    mother.fill("#amount", "1")
    mother.get_by_role("button", name="我要求助").click()
    expect(mother.get_by_role("status")).to_contain_text("求助已发布")
    expect(mother.locator("#help-status")).to_have_text("等待志愿者接单")
    expect(mother.locator("main")).to_contain_text("1 时间币")
    # Only what she may do: cancel; never accept her own request.
    expect(mother.get_by_role("button", name="取消求助")).to_be_visible()
    expect(mother.get_by_role("button", name="我来帮忙")).to_have_count(0)
    no_raw_words(mother)
    fits_the_phone(mother)
    her.look("asked")
    request = HelpRequest.objects.get(requester=family["mother"])

    # 3. A neighbour who volunteers finds the request on his desktop and accepts it: her credit is held.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    resident_login(desk, base, HELPER_PHONE)
    him = Journey(desk, shots, "timebank-helper-desktop")
    him.look("home")
    desk.goto(f"{base}/timebank/help/")
    expect(desk.locator("#tb-open")).to_contain_text("上门探访聊天")
    expect(desk.locator("#tb-open")).to_contain_text("1 时间币")
    him.look("open-requests")
    desk.get_by_role("link", name="上门探访聊天").click()
    expect(desk.get_by_role("button", name="取消求助")).to_have_count(0)  # not his request
    him.look("request")
    desk.get_by_role("button", name="我来帮忙").click()
    expect(desk.get_by_role("status")).to_contain_text("谢谢您接单")
    expect(desk.locator("#help-status")).to_have_text("志愿者已接单")
    expect(desk.get_by_role("button", name="已完成，支付给志愿者")).to_have_count(0)  # he cannot pay himself
    him.look("accepted")
    assert Account.objects.get(owner=family["mother"]).balance == 60  # 1 of 2 held in escrow

    # 4. The visit happened: she confirms, and the helper is paid.
    mother.goto(f"{base}/me/timebank/help/{request.pk}/")
    expect(mother.locator("#help-status")).to_have_text("志愿者已接单")
    her.look("helper-coming")
    mother.get_by_role("button", name="已完成，支付给志愿者").click()
    expect(mother.get_by_role("status")).to_contain_text("已完成：已向志愿者支付 1 时间币。")
    expect(mother.locator("#help-status")).to_have_text("已完成并支付")
    expect(mother.locator("main button")).to_have_count(0)  # nothing left to do
    her.look("paid")
    mother.goto(f"{base}/me/timebank/")
    expect(mother.locator("#tb-balance")).to_contain_text("1 时间币")
    her.look("account-after")
    her.done()

    desk.goto(f"{base}/me/timebank/")
    expect(desk.locator("#tb-balance")).to_contain_text("1 时间币")
    expect(desk.locator("#tb-history")).to_contain_text("求助服务支付")
    no_raw_words(desk)
    him.look("paid")
    desk.goto(f"{base}/me/timebank/help/")
    expect(desk.locator("main")).to_contain_text("我接的求助")
    no_raw_words(desk)
    him.look("help-list")
    him.done()

    request.refresh_from_db()
    assert request.status == "completed" and request.response_seconds is not None
    assert ledger.verify().ok


def test_the_love_supermarket_on_a_desktop_in_elder_mode(browser, live_server, family, shots):
    from shequ.timebank.services import goods_add, store_open
    from shequ.timebank.tests.helpers import community

    store = store_open(actor=None, name="华富爱心超市", area=community())
    goods_add(actor=None, store=store, name="鸡蛋 10个", price=60, stock=2)
    goods_add(actor=None, store=store, name="食用油", price=120, stock=0)
    base = live_server.url
    page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    page.context.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
    resident_login(page, base, ZHANGWEI_PHONE)
    me = Journey(page, shots, "timebank-market-elder-desktop")
    me.look("home")
    page.goto(f"{base}/timebank/market/")
    expect(page.locator("main")).to_contain_text("您的积分：5 时间币")
    expect(page.locator("main")).to_contain_text("1 时间币 · 剩余 2 件")
    # Sold out: no button to redeem it.
    oil = page.locator("li", has_text="食用油")
    expect(oil).to_contain_text("已兑完")
    expect(oil.get_by_role("button")).to_have_count(0)
    elder_mode_is_larger(page)
    no_raw_words(page)
    me.look("market")
    page.get_by_role("button", name="兑换鸡蛋 10个").click()
    expect(page.get_by_role("status")).to_contain_text("鸡蛋 10个")
    expect(page.locator("main")).to_contain_text("您的积分：4 时间币")
    me.look("redeemed")
    me.done()


@pytest.mark.parametrize("where", ["desktop", "phone"])
def test_a_community_worker_issues_credits_to_a_key_elder_and_reads_the_settlement(
    browser, live_server, family, shots, where
):
    from shequ.timebank.models import Account, Transfer
    from shequ.timebank.services import goods_add, goods_redeem, store_open
    from shequ.timebank.tests.helpers import community

    # 张伟 (华富) redeems at a store in 粤海: spent elsewhere, the settlement's business.
    store = store_open(actor=None, name="粤海爱心超市", area=community("440305", "粤海街道"))
    goods_redeem(
        actor=family["zhangwei"], goods=goods_add(actor=None, store=store, name="毛巾", price=60, stock=3)
    )

    base = live_server.url
    page = staff_page(
        browser, base, "lina", viewport=DESKTOP if where == "desktop" else {"width": 390, "height": 844}
    )
    staff = Journey(page, shots, f"timebank-lina-{where}")
    staff.look("console")
    page.get_by_role("link", name="时间银行").first.click()
    expect(page.get_by_role("heading", name="时间银行", exact=True)).to_be_visible()
    no_raw_words(page)
    staff.look("overview")
    page.get_by_role("link", name="向重点老人发放时间币").click()
    staff.look("issue")
    option = page.locator("#resident option", has_text="王**").first
    expect(option).to_contain_text("78岁")
    page.select_option("#resident", label=option.inner_text())
    page.fill("#amount", "0")
    page.fill("#reason", "重点老人月度发放")
    page.get_by_role("button", name="发放", exact=True).click()
    expect(page.locator(".alert")).to_contain_text("数额必须大于零")
    # What she chose and typed is still there.
    expect(page.locator("#resident option:checked")).to_contain_text("王**")
    expect(page.locator("#reason")).to_have_value("重点老人月度发放")
    staff.look("issue-refused")
    page.fill("#amount", "2")
    page.get_by_role("button", name="发放", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已向王**发放 2 时间币。")
    expect(page.locator("table")).to_contain_text("重点老人月度发放")
    staff.look("issued")
    assert Account.objects.get(owner=family["mother"]).balance == 120
    assert Transfer.objects.get(kind="issue").actor.username == "lina"

    page.goto(f"{base}/console/timebank/settlement/")
    row = page.locator("#settlement tbody tr", has_text="华富街道").first
    expect(row.locator("td").nth(0)).to_have_text("5")  # earned at home: 张伟's volunteering
    expect(row.locator("td").nth(3)).to_have_text("1")  # spent elsewhere: the towel in 粤海
    no_raw_words(page)
    staff.look("settlement")
    staff.done()
