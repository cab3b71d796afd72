"""A community worker's day in Chromium (issue 21): 李娜 of 华山社区工作站 (华富街道) sees what waits for her station,
signs for the appeal dispatched to it, reads the dispatcher's note marked as staff only, records her call with the
resident and answers him; she looks up a resident of her street (masked) and publishes a notice, which the resident
reads on his phone. Every page looked at (var/screenshots/worker-*.png, Chinese, axe-core)."""

import pytest
from playwright.sync_api import expect

from .helpers import Journey, main_text, phone_page, resident_login, said, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

NOTE = "内部备注：该小区物业经理姓王，可先联系物业"
REPLY = "已联系物业清运垃圾桶，并增加每日清运一次，请您查看。"


@pytest.fixture
def dispatched(cast_world):
    """张伟's appeal, dispatched by 孙丽 to 李娜's station with a note for staff; a registered resident nearby."""
    from datetime import date

    from shequ.accounts.models import Unit
    from shequ.appeals import services
    from shequ.core.idnumbers import make_id_number
    from shequ.geo.models import Area
    from shequ.residents.services import household_create, resident_create

    cast = cast_world
    station = Unit.objects.get(grants__user=cast["lina"])
    appeal = services.appeal_submit(
        actor=cast["zhangwei"],
        requester=cast["zhangwei"],
        data=services.IntakeData(
            text="楼下垃圾桶满了溢出来，苍蝇很多",
            channel="portal",
            category="sanitation",
            area=station.area.code,
            contact_name="张伟",
            contact_phone="13800000001",
        ),
    )
    if appeal.status == "submitted":
        services.appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit=station, note=NOTE)
    else:  # the responsibility list dispatched it already
        services.appeal_reassign(actor=cast["sunli"], appeal=appeal, unit=station, note=NOTE)
    community = Area.objects.get(code=station.area.code)
    home = household_create(actor=cast["lina"], area=community, room="3栋201")
    id_number = make_id_number("440304", date(1949, 12, 31), 7, "female")
    resident_create(
        actor=cast["lina"], household=home, name="王秀英", id_number=id_number, phone="13712345678"
    )
    appeal.refresh_from_db()
    return {"appeal": appeal, "station": station, "community": community, "id_number": id_number}


def test_a_community_worker_handles_her_stations_appeal_and_informs_her_residents(
    browser, live_server, dispatched, shots
):
    base, appeal = live_server.url, dispatched["appeal"]
    lina = Journey(staff_page(browser, base, "lina"), shots, "worker")
    page = lina.page
    to_sign = page.locator("a.card", has_text="待签收")
    expect(to_sign.locator(".fs-3")).to_have_text("1")
    assert "社区工作者" in main_text(page)
    lina.look("home")

    to_sign.click()
    expect(page.locator("tr", has_text=appeal.number)).to_contain_text("垃圾桶")
    lina.look("queue")
    page.get_by_role("link", name=appeal.number).click()
    # The dispatcher's note is hers to read, marked as not the resident's.
    entry = page.locator("li.timeline-entry[data-action=dispatch], li.timeline-entry[data-action=reassign]")
    expect(entry.locator(".timeline-note")).to_contain_text("内部备注，仅工作人员可见")
    assert NOTE in entry.inner_text() and "13800000001" not in page.content()
    lina.look("appeal")

    page.click('form[action$="/sign_for/"] button')
    assert "已完成：签收" in said(page)
    lina.look("signed-for")
    page.fill("#note-contact", "已电话联系张伟，约定今天下午处理")
    page.click('form[action$="/contact/"] button')
    assert "已完成：联系诉求人" in said(page)
    lina.look("contacted")
    page.fill("#note-reply", REPLY)
    page.click('form[action$="/reply/"] button')
    assert "已完成：答复" in said(page)
    expect(page.locator("h1")).to_contain_text("已答复")
    reply = page.locator("li.timeline-entry[data-action=reply]")
    assert "写给诉求人" in reply.inner_text() and REPLY in reply.inner_text()
    lina.look("replied")

    # The residents of her street: ID number and phone masked until revealed with a purpose.
    page.goto(f"{base}/console/")
    page.get_by_role("link", name="居民", exact=True).click()
    listing = main_text(page)
    assert "王秀英" in listing and "137****5678" in listing and "440304********" in listing
    assert "13712345678" not in listing and dispatched["id_number"] not in listing
    lina.look("residents")

    # A notice for her community.
    page.goto(f"{base}/console/")
    page.get_by_role("link", name="通知公告").click()
    page.fill("#n-title", "本周六上午垃圾分类宣传活动")
    page.fill("#n-body", "本周六上午九点在社区广场开展垃圾分类宣传，欢迎居民参加。")
    page.select_option("#n-area", dispatched["community"].code)
    lina.look("notice-form")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("main table")).to_contain_text("本周六上午垃圾分类宣传活动")
    lina.look("notice-published")
    lina.done()

    # 张伟 reads both on his phone: the answer to rate, and the notice.
    zhangwei = Journey(phone_page(browser, base), shots, "worker-resident")
    zhangwei.page.goto(f"{base}/accounts/resident/")
    zhangwei.look("sign-in")
    resident_login(zhangwei.page, base)
    zhangwei.look("signed-in")
    zhangwei.page.goto(f"{base}/me/appeals/{appeal.pk}/")
    text = main_text(zhangwei.page)
    assert REPLY in text and NOTE not in text and "已电话联系" not in text
    zhangwei.look("answer")
    zhangwei.page.goto(f"{base}/notices/")
    expect(zhangwei.page.locator("main")).to_contain_text("本周六上午垃圾分类宣传活动")
    zhangwei.look("notices")
    zhangwei.done()
