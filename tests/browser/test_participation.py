"""Residents choose (issue 26): 张伟 posts a need on his phone (a refused try first: what he typed stays); 李娜, on a
desktop, convenes a residents' council, 张伟 checks in by the meeting's code and answers its live poll, the council
decides, the decision becomes a project and 李娜 matches his need to it; 张伟, in elder mode on his phone, follows
his need to the project and the meeting's minutes. Every page each person loads is looked at (helpers.Journey:
screenshot, Chinese, axe-core) and asserted on what the person reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import Journey, main_text, phone_page, resident_login, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

RAW = ("open", "matched", "council", "scheduled", "held", "None", "resident")


@pytest.fixture
def world(cast_world):
    import importlib

    from django.apps import apps

    from shequ.geo.models import Area
    from shequ.participation.models import Category

    if not Category.objects.exists():  # the taxonomy of the data migration, flushed before
        importlib.import_module("shequ.participation.migrations.0002_default_categories").load(apps, None)
    street = Area.objects.get(parent__code="440304", name="华富街道")
    return {"community": Area.objects.filter(parent=street, level="community").order_by("code").first()}


def patient(page):
    """On a machine shared by many runs a page can take longer than Playwright's 30 seconds to load."""
    page.set_default_timeout(120_000)
    return page


def no_raw_words(page) -> None:
    text = main_text(page)
    found = [w for w in RAW if w in text]
    assert not found, (page.url, found)


def fits_the_phone(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, (page.url, wide)


def test_a_need_goes_through_a_meeting_to_a_project_and_the_resident_follows_it(
    browser, live_server, world, shots
):
    from shequ.participation.models import Meeting, Need

    base = live_server.url
    community = world["community"]

    # 1. 张伟 posts a need on his phone; the first try has no category: refused, what he typed stays.
    phone = patient(phone_page(browser, base))
    resident_login(phone, base)
    zw = Journey(phone, shots, "participation-resident")
    zw.look("home")
    phone.goto(f"{base}/me/participation/needs/new/")
    zw.look("need-form")
    phone.select_option("#area", community.code)
    phone.fill("#title", "3栋楼道需要扶手")
    phone.fill("#description", "3栋楼道没有扶手，家里老人上下楼很不方便。")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.locator(".alert")).to_contain_text("请选择类别")
    expect(phone.locator("#title")).to_have_value("3栋楼道需要扶手")
    expect(phone.locator("#area")).to_have_value(community.code)
    expect(phone.locator("#description")).to_have_value("3栋楼道没有扶手，家里老人上下楼很不方便。")
    fits_the_phone(phone)
    zw.look("need-refused")
    assert not Need.objects.exists()
    phone.select_option("#category", label="养老助老")
    phone.get_by_role("button", name="提交需求").click()
    expect(phone.get_by_role("status")).to_contain_text("您的需求已列入社区需求清单")
    expect(phone.locator("#need-status")).to_have_text("等待对接")
    no_raw_words(phone)
    fits_the_phone(phone)
    zw.look("need-posted")
    need = Need.objects.get()

    # 2. 李娜 sees it in her console and convenes a residents' council starting in ten minutes.
    desk = patient(staff_page(browser, base, "lina"))
    ln = Journey(desk, shots, "participation-worker")
    ln.look("console-home")
    desk.goto(f"{base}/console/participation/")
    expect(desk.locator("main")).to_contain_text("3栋楼道需要扶手")
    ln.look("overview")
    desk.get_by_role("link", name="召集会议").click()
    ln.look("meeting-form")
    start = timezone.localtime(timezone.now() + timedelta(minutes=10))
    desk.select_option("#area", community.code)
    desk.select_option("#kind", label="居民议事会")
    desk.fill("#title", "居民议事会：楼道扶手")
    desk.fill("#agenda", "一、3栋楼道扶手加装；二、费用来源")
    desk.fill("#place", "社区党群服务中心")
    desk.fill("#starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    desk.fill("#ends_at", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_role("button", name="召集").click()
    expect(desk.get_by_role("status")).to_contain_text("会议已召集")
    expect(desk.locator("#meeting-status")).to_have_text("已召集")
    ln.look("meeting-console")
    meeting = Meeting.objects.get()
    checkin = desk.locator("#checkin-link").get_attribute("href")
    desk.fill("#question", "是否同意加装3栋楼道扶手？")
    desk.fill("#options", "同意\n不同意")
    desk.get_by_role("button", name="发起表决").click()
    expect(desk.get_by_role("status")).to_contain_text("表决已发起")
    ln.look("poll-open")

    # 3. 张伟 scans the meeting's code, is present and answers the live poll.
    phone.goto(checkin)
    zw.look("checkin")
    phone.get_by_role("button", name="我已到会").click()
    expect(phone.get_by_role("status").first).to_contain_text("您已在“居民议事会：楼道扶手”签到")
    zw.look("checked-in")
    phone.get_by_label("同意", exact=True).check()
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("status").first).to_contain_text("您的选择已计入")
    expect(phone.locator("main")).to_contain_text("同意：1 票")
    fits_the_phone(phone)
    zw.look("poll-answered")

    # 4. The council decides; the decision becomes a project; the minutes are published; the need is matched.
    desk.reload()
    expect(desk.locator("#present")).to_contain_text("张*")
    ln.look("meeting-present")
    desk.fill("#text", "为3栋楼道加装扶手")
    desk.fill("#follow_up", "社区工作站两周内报方案")
    desk.get_by_role("button", name="记录议定事项").click()
    expect(desk.get_by_role("status")).to_contain_text("议定事项已记录")
    ln.look("decision")
    desk.locator("#decisions").get_by_role("button", name="转为项目").click()
    expect(desk.get_by_role("status")).to_contain_text("议定事项已转为项目：为3栋楼道加装扶手")
    ln.look("decision-project")
    desk.fill("#minutes", "到会居民代表1人。议题一：3栋楼道扶手，同意1票，形成决定并转为项目。")
    desk.get_by_role("button", name="公开会议纪要").click()
    expect(desk.locator("#meeting-status")).to_have_text("已召开，纪要已公开")
    ln.look("minutes")
    desk.goto(f"{base}/console/participation/needs/{need.pk}/")
    ln.look("need")
    desk.select_option("#target", label="为3栋楼道加装扶手")
    desk.fill("#reply", "已在居民议事会上形成决定，纳入项目实施。")
    desk.get_by_role("button", name="对接", exact=True).click()
    expect(desk.get_by_role("status")).to_contain_text("需求已对接，已通知居民")
    expect(desk.locator("#need-status")).to_have_text("已对接")
    ln.look("need-matched")
    # The project's page traces the need to it; she moves it to "being implemented" and downloads the needs list.
    desk.goto(f"{base}/console/participation/")
    desk.locator("#projects-heading + ul").get_by_role("link", name="为3栋楼道加装扶手").click()
    expect(desk.locator("#project-needs")).to_contain_text("3栋楼道需要扶手")
    ln.look("project")
    desk.select_option("#id_status", label="实施中")
    desk.get_by_role("button", name="保存").click()
    expect(desk.get_by_role("status")).to_contain_text("项目状态已保存")
    expect(desk.locator("#project-facts")).to_contain_text("实施中")
    ln.look("project-in-progress")
    desk.goto(f"{base}/console/participation/")
    ln.look("overview-again")
    with desk.expect_download() as got:
        desk.locator("#exports").get_by_role("link", name="CSV").first.click()
    body = open(got.value.path(), encoding="utf-8-sig").read()
    assert "3栋楼道需要扶手" in body and "已对接" in body
    ln.done()

    # 5. 张伟, in elder mode, follows his need to the project and the meeting's minutes.
    elder = patient(phone_page(browser, base, elder=True))
    resident_login(elder, base)
    old = Journey(elder, shots, "participation-resident-elder")
    old.look("home")
    elder.goto(f"{base}/me/participation/")
    expect(elder.locator("main")).to_contain_text("3栋楼道需要扶手")
    expect(elder.locator("main")).to_contain_text("已对接")
    fits_the_phone(elder)
    old.look("my-needs")
    elder.get_by_role("link", name="3栋楼道需要扶手").click()
    expect(elder.locator("#trail")).to_contain_text("已对接到项目")
    expect(elder.locator("#trail")).to_contain_text("已在居民议事会上形成决定")
    no_raw_words(elder)
    fits_the_phone(elder)
    old.look("my-need")
    elder.locator("#trail").get_by_role("link", name="为3栋楼道加装扶手").click()
    expect(elder.locator("main")).to_contain_text("居民议事会：楼道扶手")
    old.look("project")
    elder.get_by_role("link", name="居民议事会：楼道扶手").click()
    expect(elder.locator("#minutes")).to_contain_text("形成决定并转为项目")
    expect(elder.locator("#decisions")).to_contain_text("已转为项目")
    no_raw_words(elder)
    fits_the_phone(elder)
    old.look("meeting")
    elder.goto(f"{base}/participation/?area={community.code}")
    expect(elder.locator("main")).to_contain_text("需求清单")
    expect(elder.locator("main")).to_contain_text("3栋楼道需要扶手")
    fits_the_phone(elder)
    old.look("community-lists")
    old.done()
    zw.done()
    assert meeting.pk


def test_a_community_worker_adds_a_project_on_her_phone(browser, live_server, world, shots):
    from shequ.participation.models import Project

    base = live_server.url
    community = world["community"]
    page = patient(staff_page(browser, base, "lina", viewport={"width": 390, "height": 844}))
    me = Journey(page, shots, "participation-project-phone")
    page.goto(f"{base}/console/participation/")
    me.look("overview")
    page.get_by_role("link", name="添加项目").click()
    me.look("form")
    page.select_option("#id_area", community.code)
    page.select_option("#id_category", label="养老助老")
    page.fill("#id_title", "扶手")  # too short: refused
    page.fill("#id_description", "为5栋楼道加装扶手，长者上下楼更安全。")
    page.fill("#id_budget_yuan", "8000")
    page.get_by_role("button", name="添加项目").click()
    expect(page.locator("#form-refused")).to_be_visible()
    expect(page.locator("#id_title_error")).to_contain_text("至少需要 4 个字")
    expect(page.locator("#id_description")).to_have_value("为5栋楼道加装扶手，长者上下楼更安全。")
    fits_the_phone(page)
    me.look("refused")
    assert not Project.objects.exists()
    page.fill("#id_title", "5栋楼道扶手加装")
    page.get_by_role("button", name="添加项目").click()
    expect(page.get_by_role("status")).to_contain_text("项目已列入社区项目清单")
    expect(page.locator("#project-facts")).to_contain_text("预算 8000 元")
    fits_the_phone(page)
    me.look("added")
    me.done()
    assert Project.objects.get().budget_yuan == 8000
