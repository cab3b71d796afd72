"""Volunteer service's other pages in a real browser, as each role that uses them: a resident whose registration is
refused (phone, normal and elder mode: what he typed stays, the ID number does not come back), his hours, his
certificate and its public check; the team and station pages; 李娜 (lina, community worker) in the staff console
(desktop and phone); 陈静 (chenjing) on the leaders' dashboard; 宋雨 organising on his phone.

Each page is screenshotted under var/screenshots/volunteers/, checked to be Chinese and audited with axe-core."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from . import test_volunteers
from .helpers import DESKTOP, PHONE, Journey, main_text, phone_page, resident_login, staff_page
from .test_volunteers import RESIDENT_PHONE, SONGYU_PHONE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

world = test_volunteers.world  # the journey's fixture

ENGLISH = re.compile(r"\b(pending|confirmed|preparatory|formal|published|cancelled|waitlisted|None)\b")


def _no_overflow(page) -> None:
    """Nothing sticks out past the phone's width (a horizontal scroll on a phone hides words)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def _chinese_only(page) -> None:
    text = main_text(page)
    assert not ENGLISH.search(text), (page.url, ENGLISH.search(text))


def _font_size(page, selector: str) -> float:
    return float(page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)"))


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_refused_registration_keeps_what_was_typed_and_the_volunteers_own_pages_read_in_chinese(
    browser, live_server, world, shots, elder
):
    from shequ.core.idnumbers import make_id_number
    from shequ.volunteers import services

    base, mode = live_server.url, "elder" if elder else "normal"
    folder = shots / "volunteers"
    folder.mkdir(parents=True, exist_ok=True)
    phone = phone_page(browser, base, elder=elder)
    resident_login(phone, base, RESIDENT_PHONE)
    me = Journey(phone, folder, f"walk-resident-{mode}")

    phone.goto(f"{base}/volunteers/register/")
    expect(phone.locator("main h1")).to_have_text("注册志愿者")
    phone.get_by_label("真实姓名").fill("林晓")
    phone.get_by_label("身份证号").fill("440304198605171230")  # a wrong check digit
    phone.get_by_label("手机号", exact=True).fill(RESIDENT_PHONE)
    phone.get_by_label("所在社区").select_option(world["community"].code)
    phone.get_by_label("助老服务").check()
    phone.get_by_label("周六上午").check()
    phone.get_by_label("紧急联系人", exact=True).fill("林母")
    phone.get_by_label("紧急联系人电话").fill("13912345678")
    phone.get_by_role("button", name="注册").click()
    expect(phone.locator("main h1")).to_have_text("注册志愿者")
    me.look("register-refused")
    expect(phone.get_by_label("真实姓名")).to_have_value("林晓")
    expect(phone.get_by_label("紧急联系人", exact=True)).to_have_value("林母")
    expect(phone.get_by_label("所在社区")).to_have_value(world["community"].code)
    expect(phone.get_by_label("助老服务")).to_be_checked()
    expect(phone.get_by_label("周六上午")).to_be_checked()
    expect(phone.get_by_label("身份证号")).to_have_value("")  # personal values refused are not shown back
    _chinese_only(phone)
    _no_overflow(phone)
    if elder:
        assert _font_size(phone, "main h1") > 28

    # Registered (through the service), one shift served and confirmed: his hours, a certificate, its check.
    volunteer = services.volunteer_register(
        actor=world["resident"],
        data=services.RegistrationData(
            name="林晓",
            id_number=make_id_number("440304", date(1986, 5, 17), 123, "male"),
            phone=RESIDENT_PHONE,
            area=world["community"].code,
            emergency_name="林母",
            emergency_phone="13912345678",
        ),
    )
    shift = world["activity"].shifts.get()
    signup = services.signup_create(actor=world["resident"], shift=shift)
    from shequ.volunteers.models import Shift

    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3)
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    signup.refresh_from_db()
    record = services.attendance_roster(
        actor=world["songyu"], signup=signup, started_at=start, ended_at=start + timedelta(minutes=90)
    )
    services.hours_confirm(actor=world["songyu"], record=record)
    phone.goto(f"{base}/volunteers/me/hours/")
    expect(phone.locator("main")).to_contain_text("已确认的服务时长：1.5 小时")
    me.look("my-hours")
    _chinese_only(phone)
    _no_overflow(phone)
    phone.get_by_role("button", name=re.compile("开具")).first.click()
    expect(phone.locator(".alert-success")).to_contain_text("已开具")
    me.look("certificate-issued")
    code = volunteer.certificates.get().code
    phone.goto(f"{base}/volunteers/verify/{code}/")
    expect(phone.locator("main")).to_contain_text("1.5")
    me.look("verify")
    _chinese_only(phone)
    _no_overflow(phone)
    phone.goto(f"{base}/volunteers/teams/{world['team'].pk}/")
    me.look("team")
    _no_overflow(phone)
    me.done()


def test_the_community_worker_the_leader_and_the_organiser_on_his_phone(browser, live_server, world, shots):
    from shequ.volunteers import services
    from shequ.volunteers.tests.helpers import registration

    base = live_server.url
    folder = shots / "volunteers"
    folder.mkdir(parents=True, exist_ok=True)
    services.volunteer_register(
        actor=world["resident"], data=registration(name="林晓", area=world["community"])
    )
    station = services.station_create(
        actor=None,
        name="华富社区志愿服务站",
        area=world["community"],
        lat=22.55,
        lng=114.06,
        team=world["team"],
        address="华富社区党群服务中心一楼",
    )

    # 李娜 (community worker, 华富街道) at her desk, then on her phone.
    signed_in = staff_page(browser, base, "lina", viewport=DESKTOP)
    for size in ("desktop", "phone"):
        if size == "desktop":
            desk = signed_in
        else:  # the same session on her phone (a second sign-in would replay the authenticator's code)
            desk = browser.new_context(
                viewport=PHONE,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                storage_state=signed_in.context.storage_state(),
            ).new_page()
            desk.goto(f"{base}/console/")
        lina = Journey(desk, folder, f"walk-lina-{size}")
        lina.look("console")
        desk.goto(f"{base}/console/volunteers/")
        expect(desk.locator("main h1")).to_contain_text("志愿")
        lina.look("volunteers")
        _chinese_only(desk)
        desk.goto(f"{base}/console/volunteers/teams/")
        lina.look("teams")
        _chinese_only(desk)
        desk.goto(f"{base}/console/volunteers/stations/")
        lina.look("stations")
        _chinese_only(desk)
        if size == "phone":
            _no_overflow(desk)
        lina.done()

    # 陈静 (city administrator) on the leaders' dashboard.
    boss = staff_page(browser, base, "chenjing")
    leader = Journey(boss, folder, "walk-chenjing")
    leader.look("console")
    boss.goto(f"{base}/dashboard/")
    expect(boss.locator("#volunteer-figures")).to_contain_text("志愿服务站点")
    leader.look("dashboard")
    leader.done()

    # 宋雨 organises on his phone: his list, the publish form, an activity, its code, the team's records.
    phone = phone_page(browser, base)
    resident_login(phone, base, SONGYU_PHONE)
    songyu = Journey(phone, folder, "walk-songyu-phone")
    for path, name in (
        ("/volunteers/organise/", "organise"),
        ("/volunteers/organise/activities/new/", "new"),
        (f"/volunteers/organise/activities/{world['activity'].pk}/", "activity"),
        (f"/volunteers/organise/shifts/{world['activity'].shifts.get().pk}/qr/", "qr"),
        (f"/volunteers/organise/teams/{world['team'].pk}/records/", "records"),
        (f"/volunteers/stations/{station.pk}/", "station"),
    ):
        phone.goto(f"{base}{path}")
        songyu.look(name)
        _chinese_only(phone)
        _no_overflow(phone)
    songyu.done()
