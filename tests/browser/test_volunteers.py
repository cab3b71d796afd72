"""Volunteer service in a real browser (issue 24): a resident on his phone (normal and elder mode) registers as a
volunteer, signs up for a shift, checks in and out by opening the code on the organiser's screen, and sees his
hours once 宋雨 (songyu, the team's manager, at a desktop) has confirmed them, and his time-bank balance risen.

Between the sign-up and the shift the server's clock moves to the shift's morning and then past its end
(`server_clock`: `django.utils.timezone.now` with an offset, in the live server's process). Nothing else is
simulated: the code is the rotating one the organiser's screen shows, and every step goes through the pages.
Each page is screenshotted under var/screenshots/volunteers/, checked to be Chinese and audited with axe-core."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import DESKTOP, Journey, main_text, phone_page, resident_login
from .restore import restore_migrated_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

RESIDENT_PHONE = "17700000001"
SONGYU_PHONE = "13800000012"
TITLE = "关爱长者上门探访"
PLACE = "华富社区长者服务站"


def _restore_volunteer_data() -> None:
    """The default skills and star levels and the time bank's head and default rule (data migrations) come back
    after an earlier transactional test's flush."""
    import importlib

    from django.apps import apps

    from shequ.volunteers.models import Skill

    if not Skill.objects.exists():
        importlib.import_module("shequ.volunteers.migrations.0002_default_skills_and_stars").load(apps, None)
    if apps.is_installed("shequ.timebank"):
        importlib.import_module("shequ.timebank.migrations.0002_head_and_default_rule").create(apps, None)


@pytest.fixture
def server_clock(monkeypatch):
    """The live server's clock: `timezone.now()` plus an offset the test moves forward (never back)."""
    from django.utils import timezone as tz

    real_now = tz.now
    state = {"offset": timedelta(0)}
    monkeypatch.setattr(tz, "now", lambda: real_now() + state["offset"])

    class Clock:
        def set(self, when: datetime) -> None:
            offset = when - real_now()
            assert offset >= state["offset"], "the clock only moves forward"
            state["offset"] = offset

    return Clock()


@pytest.fixture
def world(transactional_db):
    from shequ.demo.cast import ensure_cast
    from shequ.facilities.services import facility_types_ensure
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area
    from shequ.volunteers import services
    from shequ.volunteers.demo import _account

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    restore_migrated_data()
    _restore_volunteer_data()
    facility_types_ensure()
    ensure_cast()
    community = Area.objects.filter(parent__name="华富街道", level="community").order_by("code").first()
    assert community is not None
    resident, _ = _account("resident001", name="林晓", phone=RESIDENT_PHONE, area=community)
    songyu, _ = _account("songyu", name="宋雨", phone=SONGYU_PHONE, area=community)
    team = services.team_create(
        actor=None,
        name="华富社区志愿服务队",
        area=community,
        managers=[songyu],
        description="华富街道的社区志愿服务队伍。",
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time(9, 0)))
    activity = services.activity_create(
        actor=None,
        team=team,
        title=TITLE,
        description="陪伴独居长者聊天，帮忙整理家务。",
        shifts=[
            services.ShiftData(place=PLACE, starts_at=start, ends_at=start + timedelta(hours=2), capacity=5)
        ],
    )
    yield {"resident": resident, "songyu": songyu, "community": community, "team": team, "activity": activity}
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def _id_number() -> str:
    from shequ.core.idnumbers import make_id_number

    return make_id_number("440304", date(1986, 5, 17), 123, "male")


def _qr_url(page) -> str:
    """What the phone's camera reads from the organiser's screen: the code's address."""
    expect(page.locator("#qr-code svg")).to_be_visible()
    href = page.locator("#qr-url").get_attribute("href")
    assert href and "/volunteers/scan/" in href, href
    return href


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_a_resident_volunteers_checks_in_by_qr_and_sees_his_confirmed_hours_and_credits(
    browser, live_server, world, shots, server_clock, elder
):
    from shequ.volunteers.models import HoursRecord, Signup

    base, mode = live_server.url, "elder" if elder else "normal"
    folder = shots / "volunteers"
    folder.mkdir(parents=True, exist_ok=True)
    activity = world["activity"]
    shift = activity.shifts.get()

    # 1. On his phone he opens 志愿服务 from the portal and registers.
    phone = phone_page(browser, base, elder=elder)
    resident_login(phone, base, RESIDENT_PHONE)
    me = Journey(phone, folder, f"resident-{mode}")
    me.look("portal")
    phone.get_by_role("link", name=re.compile("志愿服务")).first.click()
    expect(phone.locator("main h1")).to_have_text("志愿服务")
    expect(phone.locator("main")).to_contain_text(TITLE)
    me.look("volunteers-home")
    phone.get_by_role("link", name="注册志愿者").first.click()
    expect(phone.locator("main h1")).to_have_text("注册志愿者")
    me.look("register-form")
    phone.get_by_label("真实姓名").fill("林晓")
    phone.get_by_label("身份证号").fill(_id_number())
    phone.get_by_label("手机号", exact=True).fill(RESIDENT_PHONE)
    phone.get_by_label("所在社区").select_option(world["community"].code)
    phone.get_by_label("助老服务").check()
    phone.get_by_label("周六上午").check()
    phone.get_by_label("紧急联系人", exact=True).fill("林母")
    phone.get_by_label("紧急联系人电话").fill("13912345678")
    phone.get_by_role("button", name="注册").click()
    expect(phone.locator(".alert-success")).to_contain_text("已注册为志愿者")
    card = phone.locator("main section.card")
    expect(card).to_contain_text("林晓 · 预备志愿者")
    expect(card).to_contain_text("SZV")
    me.look("registered")

    # 2. He signs up for tomorrow morning's shift.
    phone.get_by_role("link", name=TITLE).first.click()
    expect(phone.locator("main h1")).to_have_text(TITLE)
    row = phone.locator(f"#shift-{shift.pk}")
    expect(row).to_contain_text("5 个名额中剩余 5 个")
    me.look("activity")
    row.get_by_role("button", name="报名").click()
    expect(phone.locator(".alert-success")).to_contain_text("已确认")
    expect(row.locator(".badge")).to_have_text("已确认")
    expect(row).to_contain_text("5 个名额中剩余 4 个")
    me.look("signed-up")
    assert Signup.objects.get().status == "confirmed"

    # 3. The next morning, ten minutes before the shift, 宋雨 puts the check-in code on his screen.
    server_clock.set(shift.starts_at - timedelta(minutes=10))
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    resident_login(desk, base, SONGYU_PHONE)
    organiser = Journey(desk, folder, f"organiser-{mode}")
    desk.goto(f"{base}/volunteers/organise/")
    expect(desk.locator("main h1")).to_have_text("组织志愿服务活动")
    expect(desk.locator("main")).to_contain_text(TITLE)
    organiser.look("organise")
    desk.get_by_role("link", name=TITLE).first.click()
    expect(desk.locator("main h1")).to_have_text(TITLE)
    expect(desk.locator("main")).to_contain_text("林*")
    organiser.look("activity")
    desk.get_by_role("link", name="显示签到码").click()
    expect(desk.locator("main h1")).to_contain_text(PLACE)
    url = _qr_url(desk)
    organiser.look("qr-code")

    # 4. His phone opens the code's address: one tap checks him in.
    phone.goto(url)
    expect(phone.locator("main")).to_contain_text(TITLE)
    me.look("scan")
    phone.get_by_role("button", name="签到 / 签退").click()
    expect(phone.locator("#scan-result")).to_contain_text("签到成功：08:50")
    me.look("checked-in")

    # 5. After the shift he scans the code again (a new one by now) and is checked out.
    server_clock.set(shift.ends_at + timedelta(minutes=5))
    desk.reload()
    url_after = _qr_url(desk)
    assert url_after != url
    organiser.look("qr-code-later")
    phone.goto(url_after)
    phone.get_by_role("button", name="签到 / 签退").click()
    result = phone.locator("#scan-result")
    expect(result).to_contain_text("签退成功：11:05")
    expect(result).to_contain_text("120 分钟服务时长等待组织者确认")
    me.look("checked-out")
    phone.get_by_role("link", name="我的时长").click()
    record = phone.locator("main .list-group-item", has_text=TITLE)
    expect(record).to_contain_text("120 分钟")
    expect(record.locator(".badge")).to_have_text("待确认")
    me.look("hours-pending")

    # 6. 宋雨 confirms the hours from his list.
    desk.goto(f"{base}/volunteers/organise/")
    waiting = desk.locator("main tr", has_text=TITLE)
    expect(waiting).to_contain_text("林*")
    expect(waiting).to_contain_text("120")
    organiser.look("waiting")
    waiting.get_by_role("button", name="确认").click()
    expect(desk.locator(".alert-success")).to_contain_text("服务时长已确认")
    expect(desk.locator("main")).to_contain_text("没有待处理的事项")
    organiser.look("confirmed")
    assert HoursRecord.objects.get().status == "confirmed"

    # 7. He sees 2 confirmed hours, a 正式志愿者 now, and the credits on his time-bank page.
    phone.goto(f"{base}/volunteers/me/hours/")
    expect(phone.locator("main")).to_contain_text("已确认的服务时长：2.0 小时")
    expect(phone.locator("main .list-group-item", has_text=TITLE).locator(".badge")).to_have_text("已确认")
    me.look("hours-confirmed")
    phone.goto(f"{base}/volunteers/")
    expect(phone.locator("main section.card")).to_contain_text("林晓 · 正式志愿者")
    me.look("volunteers-home-after")
    phone.goto(f"{base}/me/timebank/")
    expect(phone.locator("#tb-balance")).to_contain_text("2 时间币")
    expect(phone.locator("#tb-history")).to_contain_text("志愿服务获得")
    me.look("timebank")
    assert "Confirmed" not in main_text(phone)
    me.done()
    organiser.done()


def test_an_organiser_publishes_two_shifts_records_training_for_a_member_and_cancels_with_the_volunteers_told(
    browser, live_server, world, shots
):
    """宋雨 at his desk publishes an activity with two shifts; a volunteer (on her phone, elder mode) joins his team
    from its page and signs up; he records her first-aid training, which makes her a 正式志愿者, then a typhoon
    warning makes him cancel: her sign-up is cancelled and her inbox says why."""
    from shequ.volunteers import services
    from shequ.volunteers.models import Activity, RecordEntry, Signup, TeamMember
    from shequ.volunteers.tests.helpers import registration

    base = live_server.url
    folder = shots / "volunteers"
    folder.mkdir(parents=True, exist_ok=True)
    team = world["team"]
    volunteer = services.volunteer_register(
        actor=world["resident"], data=registration(name="林晓", area=world["community"])
    )
    day = timezone.localdate() + timedelta(days=5)

    # 1. He publishes 台风天防汛巡查 with a morning and an afternoon shift.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    resident_login(desk, base, SONGYU_PHONE)
    organiser = Journey(desk, folder, "organiser-publish")
    desk.goto(f"{base}/volunteers/organise/")
    organiser.look("organise")
    desk.get_by_role("link", name="发布活动").click()
    expect(desk.locator("main h1")).to_have_text("发布活动")
    organiser.look("new")
    desk.get_by_label("标题").fill("社区防汛巡查")
    desk.fill("#id_shift-0-place", "华富社区广场")
    desk.fill("#id_shift-0-day", day.isoformat())
    desk.fill("#id_shift-0-start", "09:00")
    desk.fill("#id_shift-0-end", "11:00")
    desk.fill("#id_shift-0-capacity", "6")
    desk.get_by_role("button", name="再加一个班次").click()
    expect(desk.locator("#shift-row-2 > .card-body > legend")).to_have_text("班次 2")
    expect(desk.locator("#id_shift-0-place")).to_have_value("华富社区广场")
    organiser.look("two-rows")
    desk.fill("#id_shift-1-place", "华富社区长者服务站")
    desk.fill("#id_shift-1-day", day.isoformat())
    desk.fill("#id_shift-1-start", "14:00")
    desk.fill("#id_shift-1-end", "16:30")
    desk.fill("#id_shift-1-capacity", "4")
    desk.get_by_role("button", name="发布", exact=True).click()
    expect(desk.locator(".alert-success")).to_contain_text("活动已发布")
    expect(desk.locator("main h1")).to_have_text("社区防汛巡查")
    expect(desk.locator("main section.card h2[id^=shift-]")).to_have_count(2)
    organiser.look("published")
    activity = Activity.objects.get(title="社区防汛巡查")
    assert [s.capacity for s in activity.shifts.order_by("starts_at")] == [6, 4]

    # 2. 林晓, in elder mode, joins his team from its page and signs up for the morning shift.
    phone = phone_page(browser, base, elder=True)
    resident_login(phone, base, RESIDENT_PHONE)
    me = Journey(phone, folder, "member-elder")
    phone.goto(f"{base}/volunteers/activities/{activity.pk}/")
    expect(phone.locator("main h1")).to_have_text("社区防汛巡查")
    me.look("activity")
    phone.get_by_role("link", name=team.name).first.click()
    expect(phone.locator("main h1")).to_have_text(team.name)
    expect(phone.locator("#members-heading")).to_have_text("0 名队员")
    me.look("team")
    phone.get_by_role("button", name="加入队伍").click()
    expect(phone.locator(".alert-success")).to_contain_text(f"你已加入{team.name}")
    expect(phone.locator("#my-membership")).to_contain_text("你是本队队员")
    expect(phone.locator("#members-heading")).to_have_text("1 名队员")
    me.look("joined")
    assert TeamMember.objects.get().volunteer == volunteer
    phone.goto(f"{base}/volunteers/activities/{activity.pk}/")
    morning = activity.shifts.order_by("starts_at").first()
    phone.locator(f"#shift-{morning.pk}").get_by_role("button", name="报名").click()
    expect(phone.locator(f"#shift-{morning.pk} .badge")).to_have_text("已确认")
    me.look("signed-up")

    # 3. He records her first-aid training from his team's page.
    desk.goto(f"{base}/volunteers/organise/")
    desk.locator("#teams-heading + ul").get_by_role("link", name="培训、表彰与评价").click()
    expect(desk.locator("main h1")).to_have_text("培训、表彰与评价")
    organiser.look("records")
    desk.get_by_label("志愿者", exact=True).select_option(str(volunteer.pk))
    desk.get_by_label("类型").select_option("training")
    desk.get_by_label("标题").fill("应急救护培训")
    desk.get_by_label("日期").fill(timezone.localdate().isoformat())
    desk.get_by_label("培训时长（分钟）").fill("120")
    desk.get_by_role("button", name="登记", exact=True).click()
    expect(desk.locator(".alert-success")).to_contain_text("已记入志愿者档案")
    expect(desk.locator("main table")).to_contain_text("应急救护培训")
    expect(desk.locator("main table")).to_contain_text("林*")
    organiser.look("recorded")
    assert RecordEntry.objects.get().title == "应急救护培训"

    # 4. A typhoon warning: he cancels the activity with the reason.
    desk.goto(f"{base}/volunteers/organise/activities/{activity.pk}/")
    desk.get_by_label("原因").fill("台风橙色预警，户外活动暂停")
    desk.get_by_role("button", name="取消活动").click()
    expect(desk.locator(".alert-success")).to_contain_text("活动已取消，已通知报名的志愿者")
    expect(desk.locator("#activity-cancelled")).to_contain_text("台风橙色预警，户外活动暂停")
    organiser.look("cancelled")
    assert Signup.objects.get().status == "cancelled"

    # 5. She is a 正式志愿者 now, and her inbox says the activity is cancelled and why.
    phone.goto(f"{base}/volunteers/")
    expect(phone.locator("main section.card")).to_contain_text("林晓 · 正式志愿者")
    expect(phone.locator("main #mine-heading + ul")).to_contain_text("暂无即将开始的报名")
    me.look("home-after")
    phone.goto(f"{base}/me/messages/")
    told = phone.locator("main li.card", has_text="已取消：台风橙色预警，户外活动暂停")
    expect(told).to_contain_text("社区防汛巡查")
    expect(told).to_contain_text("你的报名随之取消")
    me.look("inbox")
    me.done()
    organiser.done()
