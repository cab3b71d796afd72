"""The registries and the 15-minute circle in a real browser (issue 29 items 2-3): 李娜, community worker of
华富街道, records a sub-committee and sees a bad Excel file refused row by row with nothing written; 王强, street
officer of 粤海街道, reads the coverage gaps on the map and the suggested sites for a facility type. Desktop and
phone; every page screenshotted, in Chinese and checked with axe-core."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from .helpers import PHONE, Journey, main_text, said, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
DEVICES = {"desktop": None, "phone": PHONE}


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("device", list(DEVICES))
def test_a_community_worker_keeps_a_registry(browser, live_server, cast_world, shots, device):
    from shequ.geo.models import Area
    from shequ.registries.models import Entry

    home = Area.objects.filter(level="community", parent__name="华富街道").order_by("code")[0]
    base = live_server.url
    page = staff_page(browser, base, "lina", viewport=DEVICES[device])
    journey = Journey(page, shots, f"registries-{device}")
    journey.look("console")
    page.get_by_role("link", name="社区台账").click()
    expect(page.locator("main h1")).to_have_text("社区台账")
    journey.look("home")
    page.get_by_role("link", name="居委会下属委员会").click()
    expect(page.locator("main")).to_contain_text("您辖区的社区尚无登记")
    journey.look("list-empty")
    page.get_by_role("link", name="新增登记").click()
    page.select_option("#id_kind", label="人民调解委员会")
    page.select_option("#id_community", value=home.code)
    page.fill("#id_name", "人民调解委员会")
    page.fill("#id_contact", "主任委员 陈明")
    page.fill("#id_members", "7")
    journey.look("new")
    page.get_by_role("button", name="保存").click()
    assert "登记已保存" in said(page)
    journey.look("saved")
    page.get_by_role("link", name="居委会下属委员会").click()
    expect(page.locator("#registry-rows")).to_contain_text("人民调解委员会")
    expect(page.locator("#registry-rows")).to_contain_text(home.name)
    journey.look("list")

    page.get_by_role("link", name="从 Excel 导入").click()
    journey.look("import")
    before = Entry.objects.count()
    page.set_input_files(
        "#import-file",
        files=[
            {
                "name": "委员会.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": _xlsx(
                    [
                        ["社区代码", "类别", "名称"],
                        [home.code, "治安保卫委员会", "治安保卫委员会"],
                        [home.code, "人民调解委员会", "人民调解委员会"],
                        [home.code, "宣传委员会", "宣传委员会"],
                    ]
                ),
            }
        ],
    )
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator(".alert-danger")).to_contain_text("没有写入任何内容")
    rows = page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("该社区已有这个委员会")
    expect(rows.nth(1)).to_contain_text("类别不对")
    assert "3" in rows.nth(0).inner_text() and "4" in rows.nth(1).inner_text()
    journey.look("import-refused")
    assert Entry.objects.count() == before
    journey.done()


@pytest.fixture
def yuehai_circle(db):
    from shequ.facilities.coverage import circle_compute
    from shequ.facilities.models import CandidateSite
    from shequ.facilities.services import facility_types_ensure
    from shequ.facilities.tests.helpers import east_of, make_facility
    from shequ.facilities.tests.test_circle import _buildings
    from shequ.geo.models import Area

    facility_types_ensure()  # a transactional test's flush removed the types the migration loaded
    home = Area.objects.filter(level="community", parent__name="粤海街道").order_by("code")[0]
    origin = (22.53, 113.94)
    make_facility("粤海社康", origin, type="health", area=home)
    make_facility("粤海党群服务中心", origin, type="party_service", area=home)
    spots = [(0, 120), (400, 200), (900, 150), (1800, 80), (2100, 90), (2300, 60)]
    _buildings(home, [(f"{i + 1}栋", east_of(m, origin), pop) for i, (m, pop) in enumerate(spots)])
    CandidateSite.objects.create(
        name="粤海闲置房产1号",
        area=home,
        lat=origin[0],
        lng=east_of(2100, origin)[1],
        floor_m2=320,
        synthetic=True,
    )
    CandidateSite.objects.create(
        name="粤海闲置房产2号",
        area=home,
        lat=origin[0],
        lng=east_of(-1500, origin)[1],
        floor_m2=150,
        synthetic=True,
    )
    circle_compute()
    return home


@pytest.mark.parametrize("device", list(DEVICES))
def test_a_street_officer_reads_the_gaps_and_the_suggested_sites(
    browser, live_server, cast_world, shots, yuehai_circle, device
):
    base = live_server.url
    page = staff_page(browser, base, "wangqiang", viewport=DEVICES[device])
    journey = Journey(page, shots, f"circle-{device}")
    page.get_by_role("link", name="15分钟服务圈").click()
    expect(page.locator("main h1")).to_contain_text("15分钟服务圈")
    expect(page.locator("#circle-coverage")).to_contain_text(yuehai_circle.name)
    # By hand: 470 of 700 residents reach the 党群服务中心 (the first type) within 1,200 m.
    expect(page.locator("#circle-coverage")).to_contain_text("67%")
    expect(page.locator("#circle-map .leaflet-interactive").first).to_be_visible()
    journey.look("coverage")
    page.select_option("#circle-type", label="社区健康服务中心（社康）")
    page.get_by_role("button", name="查看").click()
    expect(page.locator("main")).to_contain_text("230 名居民住在步行15分钟范围之外")
    first = page.locator("#circle-suggestions tbody tr").first
    expect(first).to_contain_text("粤海闲置房产1号")
    expect(first).to_contain_text("+230 名居民")
    expect(first).to_contain_text("100%")
    expect(page.locator("#circle-suggestions tbody tr")).to_have_count(1)
    journey.look("suggestions")
    assert "合成数据" in main_text(page)
    journey.done()
