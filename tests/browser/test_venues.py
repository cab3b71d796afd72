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


def test_a_freed_slot_is_held_for_the_first_on_the_waiting_list_who_accepts_it(
    browser, live_server, people, shots
):
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.models import User
    from shequ.accounts.roles import Role
    from shequ.venues import services
    from shequ.venues.models import Booking
    from shequ.venues.tests.helpers import huafu_street

    venue = _venue()
    neighbour = User.objects.create(username="huafu_neighbour", display_name="王芳")
    grant_bootstrap(user=neighbour, role=Role.RESIDENT, area=huafu_street(), reason="test")
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = timezone.make_aware(timezone.datetime.combine(tomorrow, timezone.datetime.min.time())).replace(
        hour=15
    )
    taken = services.booking_create(actor=neighbour, venue=venue, start=start, end=start + timedelta(hours=1))

    base = live_server.url
    page = phone_page(browser, base, elder=True)
    resident_login(page, base)
    journey = Journey(page, shots, "venues-waitlist")
    page.goto(f"{base}/venues/{venue.pk}/?date={tomorrow.isoformat()}")
    row = page.locator("li.slot-taken", has_text="15:00–16:00")
    expect(row).to_contain_text("已约满")
    journey.look("taken")
    row.get_by_role("button", name="加入候补").click()
    expect(page.locator(".alert-success")).to_contain_text("已加入候补")
    expect(page.locator("main")).to_contain_text("候补")
    journey.look("waiting")

    services.booking_cancel(actor=neighbour, booking=taken)  # she cannot come after all
    page.reload()
    expect(page.locator("main .my-bookings")).to_contain_text("候补到位，为您保留中")
    expect(page.locator("main .my-bookings")).to_contain_text("为您保留至")
    journey.look("offered")
    page.get_by_role("button", name="确认接受").click()
    expect(page.locator(".alert-success")).to_contain_text("时段已为您预约")
    expect(page.locator("main .my-bookings .badge").first).to_have_text("已预约")
    journey.look("accepted")
    mine = Booking.objects.get(person=people["zhangwei"])
    assert mine.status == "confirmed" and mine.start == start
    journey.done()


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_resident_signs_up_for_a_course_and_gets_its_calendar(browser, live_server, people, shots, elder):
    from shequ.venues import activities
    from shequ.venues.models import Enrolment
    from shequ.venues.tests.helpers import huafu_street

    tomorrow = timezone.localdate() + timedelta(days=1)
    first = timezone.make_aware(timezone.datetime.combine(tomorrow, timezone.datetime.min.time())).replace(
        hour=9
    )
    course = activities.activity_create(
        actor=None,
        title="老年大学：智能手机课",
        kind="course",
        area=huafu_street(),
        sessions=[(first + timedelta(weeks=w), first + timedelta(weeks=w, hours=2)) for w in range(4)],
        capacity=20,
        place="华富党群服务中心二楼教室",
    )
    base, mode = live_server.url, "elder" if elder else "normal"
    page = phone_page(browser, base, elder=elder)
    resident_login(page, base)
    journey = Journey(page, shots, f"activities-{mode}")
    page.goto(f"{base}/activities/")
    expect(page.locator("main .activity-list")).to_contain_text("老年大学：智能手机课")
    journey.look("list")
    page.get_by_role("link", name="老年大学：智能手机课").click()
    expect(page.locator("main")).to_contain_text("剩余 20 个名额")
    expect(page.locator("main")).to_contain_text("共 4 次")
    journey.look("course")
    page.get_by_role("button", name="报名").click()
    expect(page.locator(".alert-success")).to_contain_text("报名成功")
    expect(page.locator("main .my-activities")).to_contain_text("老年大学：智能手机课")
    journey.look("mine")
    assert Enrolment.objects.get(activity=course).status == "confirmed"
    if not elder:  # the calendar address is for a phone's calendar settings; elder mode keeps the page short
        feed = page.locator("main input[readonly]").input_value()
        text = page.request.get(feed).text()
        assert text.count("BEGIN:VEVENT") == 4 and "老年大学：智能手机课" in text
    journey.done()
