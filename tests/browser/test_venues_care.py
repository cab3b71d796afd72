"""托 places in a real browser (issue 25 item 4): 张伟 adds his mother on his phone (normal and elder mode), books her
a full day of elder day care and cancels it; 李娜 at the day care centre's desk reads the day's list (names masked)
and checks her in. Each page is screenshotted, in Chinese and checked with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import Journey, phone_page, resident_login, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def people(cast_world):
    """The cast on the city pack (conftest), with the facility types a care place's facility needs."""
    from shequ.facilities.services import facility_types_ensure

    facility_types_ensure()
    return cast_world


EVERY_DAY = {d: [["07:30", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _place(**kw):
    from shequ.venues.tests.helpers import make_care_place

    return make_care_place("华富长者日间照料中心", hours=EVERY_DAY, **kw)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_son_books_a_day_of_elder_care_for_his_mother_and_cancels_it(
    browser, live_server, people, shots, elder
):
    from shequ.venues.models import CareBooking

    place = _place(capacity=8)
    base, mode = live_server.url, "elder" if elder else "normal"
    page = phone_page(browser, base, elder=elder)
    resident_login(page, base)
    journey = Journey(page, shots, f"care-resident-{mode}")
    page.goto(f"{base}/venues/")
    journey.look("venues")
    page.get_by_role("link", name="托位预约").click()
    expect(page.locator("main h1")).to_have_text("托位预约")
    expect(page.locator("main .care-list")).to_contain_text(place.name)
    journey.look("care-list")
    page.get_by_role("link", name=place.name).click()
    expect(page.locator("main h1")).to_have_text(place.name)
    expect(page.locator("main .care-days")).to_contain_text("剩 8 个")
    journey.look("place-nobody-yet")
    page.get_by_role("link", name="添加被照护人").click()
    journey.look("add-member")
    form = page.locator("main form.care-member-form")
    form.get_by_label("姓名").fill("王秀英")
    form.get_by_label("与您的关系").fill("母亲")
    form.get_by_label("长者日间照料").check()
    form.get_by_label("出生日期").fill("1990-05-01")
    form.get_by_label("能力评估等级（长者）").select_option("1")
    form.get_by_role("button", name="添加").click()
    expect(page.locator("main .alert-danger, main .text-danger").first).to_contain_text("60 周岁及以上")
    expect(form.get_by_label("姓名")).to_have_value("王秀英")
    journey.look("member-refused")
    form.get_by_label("出生日期").fill("1948-05-01")
    form.get_by_role("button", name="添加").click()
    expect(page.locator(".alert-success")).to_contain_text("已添加王秀英")
    expect(page.locator("main h1")).to_have_text(place.name)  # back to the place it came from
    journey.look("place-with-member")
    tomorrow = timezone.localdate() + timedelta(days=1)
    book = page.locator("main form.care-book")
    book.get_by_label("王秀英（母亲）").check()
    book.get_by_label("日期").fill(tomorrow.isoformat())
    book.get_by_label("全日托").check()
    book.get_by_role("button", name="预约托位").click()
    expect(page.locator(".alert-success")).to_contain_text("托位已预约")
    rows = page.locator("main .care-bookings")
    expect(rows).to_contain_text(place.name)
    expect(rows).to_contain_text("王秀英 · 全日托")
    expect(rows).to_contain_text(f"{tomorrow.isoformat()} 07:30–18:00")
    journey.look("booked")
    assert CareBooking.objects.get().status == "booked"
    page.get_by_role("button", name="取消托位").click()
    expect(page.locator(".alert-success")).to_contain_text("托位预约已取消")
    expect(page.locator("main .care-bookings .badge")).to_have_text("已取消")
    journey.look("cancelled")
    assert CareBooking.objects.get().status == "cancelled"
    journey.done()


def test_the_day_care_desk_reads_the_days_list_and_checks_the_mother_in(browser, live_server, people, shots):
    from datetime import date

    from shequ.venues import care
    from shequ.venues.models import CareBooking

    place = _place(capacity=8)
    son = people["zhangwei"]
    mother = care.care_member_add(
        actor=son, name="王秀英", relation="母亲", kind="elder", birth_date=date(1948, 5, 1), care_level=2
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    booking = care.care_book(
        actor=son, place=place, member=mother, day=tomorrow, session="half_day", half="am"
    )
    base = live_server.url
    page = staff_page(browser, base, "lina")
    journey = Journey(page, shots, "care-manager")
    page.goto(f"{base}/console/venues/")
    journey.look("venues")
    page.get_by_role("link", name="托位机构").click()
    expect(page.locator("main h1")).to_have_text("托位机构")
    journey.look("care-places")
    page.get_by_role("link", name=place.name).click()
    expect(page.locator("main .care-day")).to_contain_text("当天没有预约")
    journey.look("today-empty")
    page.get_by_role("link", name="后一天").click()
    day = page.locator("main .care-day")
    expect(day).to_contain_text("王**")
    expect(day).not_to_contain_text("王秀英")
    expect(day).to_contain_text("中度失能")
    expect(day).to_contain_text("半日托（上午）")
    expect(page.locator("main .care-count")).to_contain_text("已预约 1/8 个名额")
    journey.look("tomorrow")
    # The day has come: the session moves to start now (data arranged; the check-in below runs on the real clock).
    now = timezone.now()
    CareBooking.objects.filter(pk=booking.pk).update(
        day=timezone.localdate(), start=now, end=now + timedelta(hours=4)
    )
    page.get_by_role("link", name="前一天").click()
    day.locator("tr", has_text="王**").get_by_role("button", name="签到").click()
    expect(page.locator(".alert-success")).to_contain_text("已签到")
    expect(day.locator(".badge")).to_have_text("已签到")
    journey.look("checked-in")
    booking.refresh_from_db()
    assert booking.status == "checked_in"
    journey.done()
