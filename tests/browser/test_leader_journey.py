"""A leader's look at the city in Chromium (issue 21): 陈静, the city administrator, opens the leaders' dashboard
from her console, reads the received count and the three rates for the city, drills into 福田区, opens a supervised
appeal from the dashboard's list and the early warnings. The figures are the appeals seeded here, through the
real services. Every page looked at (var/screenshots/leader-*.png, Chinese, axe-core)."""

import pytest
from playwright.sync_api import expect

from .helpers import Journey, main_text, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def city(cast_world):
    """Four appeals: in 福田区 one closed and rated well, one rated badly (reopened), one supervised; in 南山区 one
    just received."""
    from shequ.accounts.models import Unit
    from shequ.appeals import services
    from shequ.geo.models import Area

    cast = cast_world
    station = Unit.objects.get(grants__user=cast["lina"])
    yuehai = Area.objects.filter(parent__name="粤海街道", level="community").order_by("code").first()

    def report(text: str, area: str):
        return services.appeal_submit(
            actor=cast["zhangwei"],
            requester=cast["zhangwei"],
            data=services.IntakeData(text=text, channel="portal", category="sanitation", area=area),
        )

    def answered(text: str):
        a = report(text, station.area.code)
        if a.status == "submitted":
            a = services.appeal_dispatch(actor=cast["sunli"], appeal=a, unit=station)
        a = services.appeal_sign_for(actor=cast["lina"], appeal=a)
        a = services.appeal_start(actor=cast["lina"], appeal=a)
        return services.appeal_reply(actor=cast["lina"], appeal=a, text="已安排清运，现场已清理。")

    good = answered("小区门口垃圾桶满了没人清运")
    services.appeal_evaluate(actor=cast["zhangwei"], appeal=good, rating=5, resolved=True)
    bad = answered("楼下的垃圾站又脏又臭")
    services.appeal_evaluate(actor=cast["zhangwei"], appeal=bad, rating=1, resolved=False, comment="还是很脏")
    slow = report("路边绿化带里的垃圾一直没人清理", station.area.code)
    if slow.status == "submitted":
        slow = services.appeal_dispatch(actor=cast["sunli"], appeal=slow, unit=station)
    slow = services.appeal_supervise(actor=cast["sunli"], appeal=slow, comment="请尽快处理")
    report("科技园附近垃圾桶满了", yuehai.code)

    # A day-care place in 华富街道 with one elder checked in today: the dashboard's 托位使用率.
    import datetime as dt

    from django.utils import timezone

    from shequ.venues.models import CareBooking, CareMember
    from shequ.venues.tests.helpers import make_care_place

    place = make_care_place(
        hours={d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    )
    elder = CareMember.objects.create(
        family=cast["zhangwei"], name="王秀英", kind="elder", birth_date=dt.date(1941, 4, 9), care_level=2
    )
    start = timezone.now()
    CareBooking.objects.create(
        place=place,
        member=elder,
        family=cast["zhangwei"],
        day=timezone.localdate(),
        session="hourly",
        start=start,
        end=start + dt.timedelta(hours=1),
        status="checked_in",
    )
    return {"supervised": slow}


def stat(page, label: str) -> str:
    return page.locator(".stat-card", has_text=label).locator(".value").inner_text().strip()


def test_a_leader_reads_the_citys_figures_and_follows_them_down(browser, live_server, city, shots):
    base = live_server.url
    chen = Journey(staff_page(browser, base, "chenjing"), shots, "leader")
    page = chen.page
    assert "市级管理员" in main_text(page)
    chen.look("home")

    page.get_by_role("link", name="领导驾驶舱").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("深圳市")
    assert stat(page, "受理诉求") == "4"
    assert stat(page, "满意率") == "50%"  # one rated well of two rated
    for label in ("响应率", "解决率"):
        assert stat(page, label).endswith("%") or stat(page, label) == "—", label
    chen.look("city")

    page.locator("#area-h ~ details table").get_by_role("link", name="福田区").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("福田区")
    assert stat(page, "受理诉求") == "3"
    expect(page.locator("#care-use")).to_contain_text("华富街道")
    expect(page.locator("#care-use-rate")).to_contain_text("%")
    chen.look("futian")

    supervised = city["supervised"]
    page.get_by_role("link", name=supervised.number).click()
    expect(page.locator("h1")).to_contain_text("督办")
    chen.look("supervised-appeal")

    page.goto(f"{base}/dashboard/")
    page.get_by_role("link", name="全部预警").click()
    expect(page.locator("h1")).to_be_visible()
    chen.look("early-warnings")
    chen.done()
