"""Venues in a real browser (issue 25): 张伟 books a slot and cancels it on his phone (normal and elder mode), leads
his dance team's weekly booking, and 李娜 at the venue's desk sees the day's bookings and checks him in. Each page is
screenshotted, in Chinese and checked with axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import Journey, phone_page, resident_login, staff_page
from .restore import restore_migrated_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
ALWAYS = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def people(transactional_db):
    from shequ.demo.cast import ensure_cast
    from shequ.facilities.services import facility_types_ensure
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    restore_migrated_data()
    facility_types_ensure()
    yield ensure_cast()
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def _venue(**kw):
    from shequ.venues.tests.helpers import make_venue

    return make_venue("华富党群服务中心多功能活动室", **kw)


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_resident_books_a_slot_and_cancels_it_on_his_phone(browser, live_server, people, shots, elder):
    from shequ.venues.models import Booking

    venue = _venue()
    base, mode = live_server.url, "elder" if elder else "normal"
    page = phone_page(browser, base, elder=elder)
    resident_login(page, base)
    journey = Journey(page, shots, f"venues-resident-{mode}")
    page.goto(f"{base}/")
    journey.look("home")
    page.get_by_role("link", name="场地预约").first.click()
    expect(page.locator("main h1")).to_have_text("场地预约")
    expect(page.locator("main")).to_contain_text(venue.name)
    journey.look("list")
    page.get_by_role("link", name=venue.name).click()
    expect(page.locator("main h1")).to_have_text(venue.name)
    journey.look("venue")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.locator(f"a[href='?date={tomorrow.isoformat()}']").click()
    expect(page.locator("main h2").first).to_contain_text(tomorrow.strftime("%Y-%m-%d"))
    journey.look("day")
    row = page.locator("li.slot-free", has_text="10:00–11:00")
    row.get_by_role("button", name="预约").click()
    expect(page.locator(".alert-success")).to_contain_text("已预约")
    expect(page.locator("main .my-bookings")).to_contain_text(venue.name)
    expect(page.locator("main .my-bookings")).to_contain_text(f"{tomorrow.isoformat()} 10:00–11:00")
    journey.look("booked")
    assert Booking.objects.get().status == "confirmed"

    page.get_by_role("button", name="取消预约").click()
    expect(page.locator(".alert-success")).to_contain_text("预约已取消")
    expect(page.locator("main .my-bookings .badge")).to_have_text("已取消")
    journey.look("cancelled")
    assert Booking.objects.get().status == "cancelled"
    journey.done()


def test_a_team_leader_books_every_thursday_for_four_weeks(browser, live_server, people, shots):
    from shequ.venues.models import Booking
    from shequ.venues.tests.helpers import make_team

    venue = _venue()
    make_team(people["zhangwei"])
    base = live_server.url
    page = phone_page(browser, base)
    resident_login(page, base)
    journey = Journey(page, shots, "venues-team")
    page.goto(f"{base}/venues/{venue.pk}/")
    journey.look("day")
    page.get_by_role("link", name="为我的团队按周预约").click()
    expect(page.locator("main h1")).to_have_text("为我的团队按周预约")
    journey.look("form")
    today = timezone.localdate()
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    page.fill("#s-date", thursday.isoformat())
    page.select_option("#s-time", "19:00")
    page.fill("#s-weeks", "4")
    page.fill("#s-purpose", "广场舞排练")
    page.get_by_role("button", name="按周预约").click()
    expect(page.locator(".alert-success")).to_contain_text("华富舞蹈队已预约")
    expect(page.locator(".alert-success")).to_contain_text("共 4 周")
    expect(page.locator("main .my-bookings li", has_text="华富舞蹈队")).to_have_count(4)
    journey.look("booked")
    starts = sorted(timezone.localtime(s) for s in Booking.objects.values_list("start", flat=True))
    assert [s.date() for s in starts] == [thursday + timedelta(weeks=w) for w in range(4)]
    journey.done()


def test_the_venue_manager_sees_the_days_bookings_and_checks_someone_in(browser, live_server, people, shots):
    from shequ.venues import services
    from shequ.venues.models import Booking

    # A venue open round the clock with quarter-hour slots: the next slot starts within 15 minutes, so its check-in
    # window (15 minutes before the start) is open whenever the test runs.
    venue = _venue(hours=ALWAYS, slot_minutes=15, max_length_minutes=60, min_notice_minutes=0)
    now = timezone.localtime()
    start = now.replace(second=0, microsecond=0) + timedelta(minutes=15 - now.minute % 15)
    booking = services.booking_create(
        actor=people["zhangwei"],
        venue=venue,
        start=start,
        end=start + timedelta(minutes=15),
        purpose="书法练习",
    )
    base = live_server.url
    page = staff_page(browser, base, "lina")
    journey = Journey(page, shots, "venues-manager")
    journey.look("console")
    page.get_by_role("link", name="场地").click()
    expect(page.locator("main h1")).to_have_text("场地")
    journey.look("venues")
    page.get_by_role("link", name=venue.name).click()
    expect(page.locator("main .day-bookings")).to_contain_text("书法练习")
    expect(page.locator("main .day-bookings")).to_contain_text("张*")
    expect(page.locator("main .checkin-qr svg")).to_be_visible()
    journey.look("day")
    page.locator("main .day-bookings tr", has_text="书法练习").get_by_role("button", name="签到").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("main .day-bookings .badge")).to_have_text("已签到")
    journey.look("checked-in")
    booking.refresh_from_db()
    assert booking.status == "checked_in"
    assert Booking.objects.count() == 1
    journey.done()
