"""规划监测 in Chromium (issue 29): 陈静, the city administrator, opens 规划监测 from her console, reads the plan's
indicators for the city with the target and the gap, follows 社区社康覆盖率 down from the city to 福田区, to 华富街道
and to one of its communities, opens the indicator with the rows it was computed from, downloads 福田区's yearly
report, and reads the task ledger; the same community's page on a phone in elder mode. The figures are facilities
and volunteers written here through the real services, computed by the real rollup. Every page looked at
(var/screenshots/plan-*.png, Chinese, axe-core)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import PHONE, Journey, main_text, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def plan(cast_world):
    from shequ.facilities.services import FacilityData, facility_create, facility_types_ensure
    from shequ.geo.models import Area
    from shequ.indicators.services import indicator_catalogue_sync, indicator_rollup, plan_task_create

    facility_types_ensure()
    huafu = Area.objects.get(name="华富街道", level="street")
    futian = huafu.parent
    communities = list(Area.objects.filter(parent=huafu, level="community").order_by("code"))
    for c in communities[:2]:
        facility_create(
            actor=None,
            data=FacilityData(
                name=f"{c.name}社康站", type="health", area=c.code, lat=22.54, lng=114.07, synthetic=True
            ),
        )
    indicator_catalogue_sync()
    city = futian.parent
    task = plan_task_create(actor=None, code="SZ-4-05", chapter="第四章 4.1", title="推进社康机构建设",
                            area=city, unit_name="市卫生健康委", due_date=timezone.localdate() + timedelta(days=90))  # fmt: skip
    plan_task_create(actor=None, code="SZ-4-05-FT", chapter="第四章 4.1", title="福田区实施方案：推进社康机构建设",
                     area=futian, unit_name="福田区卫生健康局", parent=task, indicator_key="health_every_community",
                     due_date=timezone.localdate() - timedelta(days=3))  # fmt: skip
    indicator_rollup()
    return {"huafu": huafu, "community": communities[0], "futian": futian}


def test_a_city_leader_drills_from_the_city_to_a_community_and_downloads_the_report(
    browser, live_server, plan, shots
):
    base = live_server.url
    chen = Journey(staff_page(browser, base, "chenjing"), shots, "plan")
    page = chen.page
    chen.look("console")

    page.get_by_role("link", name="规划监测").first.click()
    expect(page.locator("h1")).to_contain_text("规划监测 · 深圳市")
    text = main_text(page)
    assert "每万人注册志愿者数" in text and "社区社康覆盖率" in text
    assert "暂无数据来源" in text  # 全科医生: nothing registers it yet, and the page says so
    chen.look("city")

    page.get_by_role("link", name="社区社康覆盖率").first.click()
    expect(page.locator("h1")).to_contain_text("社区社康覆盖率 · 深圳市")
    assert "常住人口超过2万人的社区" in main_text(page)  # the plan's own words
    chen.look("indicator-city")

    page.locator("table a.drill", has_text="福田区").click()
    expect(page.locator("h1")).to_contain_text("福田区")
    chen.look("indicator-futian")
    page.locator("table a.drill", has_text="华富街道").click()
    expect(page.locator("h1")).to_contain_text("华富街道")
    # Two of 华富街道's communities have a 社康 (made above): the street's share is theirs over all.
    chen.look("indicator-huafu")
    community = plan["community"]
    page.locator("table a.drill", has_text=community.name).click()
    expect(page.locator("h1")).to_contain_text(community.name)
    expect(page.locator("#indicator-value")).to_contain_text("100")
    page.get_by_text("1条来源记录").first.click()
    expect(page.locator("main")).to_contain_text(f"{community.name}社康站")
    chen.look("indicator-community")

    page.get_by_role("link", name="福田区").first.click()  # the breadcrumb back up
    expect(page.locator("h1")).to_contain_text("福田区")
    chen.look("indicator-futian-again")
    page.get_by_role("link", name="规划指标").click()
    expect(page.locator("h1")).to_contain_text("规划监测 · 福田区")
    chen.look("futian-board")
    with page.expect_download() as download:
        page.locator("#report-link").click()
    report = download.value
    assert report.suggested_filename.startswith("plan-report-440304-") and report.suggested_filename.endswith(
        ".pdf"
    )
    with open(report.path(), "rb") as f:
        assert f.read(4) == b"%PDF"

    page.get_by_role("link", name="任务清单和工作台账").first.click()
    expect(page.locator("main")).to_contain_text("福田区实施方案：推进社康机构建设")
    expect(page.locator("main")).to_contain_text("超期")  # the project catalogue's word for "Overdue"
    chen.look("tasks")
    page.get_by_role("link", name="福田区实施方案：推进社康机构建设").click()
    page.fill("#t-progress", "50")
    page.fill("#t-note", "已新建2家社康站")
    page.get_by_role("button", name="记录").click()
    expect(page.locator(".alert")).to_contain_text("进展已记入台账")
    expect(page.locator("main")).to_contain_text("已新建2家社康站")
    chen.look("task")
    chen.done()


def test_the_community_page_on_a_phone_in_elder_mode(browser, live_server, plan, shots):
    base = live_server.url
    page = staff_page(browser, base, "chenjing", viewport=PHONE)
    page.context.add_cookies([{"name": "shequ_elder", "value": "1", "url": base}])
    chen = Journey(page, shots, "plan-phone")
    page.goto(f"{base}/dashboard/plan/?area={plan['huafu'].code}")
    expect(page.locator("h1")).to_contain_text("华富街道")
    chen.look("street")
    page.goto(f"{base}/dashboard/plan/i/health_every_community/?area={plan['community'].code}")
    expect(page.locator("#indicator-value")).to_contain_text("100")
    chen.look("community")
    chen.done()
