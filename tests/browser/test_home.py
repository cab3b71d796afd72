"""The resident's home page leads to every service built for her: each tile opens its page, on a phone in normal and
elder mode; the public credit lists read as a visitor sees them."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import Journey, main_text, phone_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# Tile name → the path it opens: a public page, or the residents' sign-in with the personal page to return to.
SIGN_IN = "/accounts/resident/?next="
TILES = {
    "托位预约": "/daycare/",
    "预警信息": f"{SIGN_IN}/emergency/",
    "需求、资源和项目清单": "/participation/",
    "民生微实事": f"{SIGN_IN}/microprojects/",
    "业主投票": f"{SIGN_IN}/owners/",
    "信用名单": "/credit/",
    "问卷调查": f"{SIGN_IN}/surveys/",
}


@pytest.fixture
def credit_year(cast_world):
    from shequ.credit.services import credit_lists_compute, inspection_record, subject_create
    from shequ.geo.models import Area

    yuehai = Area.objects.get(level="street", name="粤海街道")
    company = subject_create(
        actor=cast_world["wangqiang"], kind="property_company", name="深圳市安居物业服务有限公司", area=yuehai
    )
    inspection_record(
        actor=cast_world["wangqiang"],
        subject=company,
        inspected_on=timezone.localdate(),
        score=40,
        serious=True,
        finding="消防通道长期堵塞",
    )
    year = timezone.localdate().year
    credit_lists_compute(actor=cast_world["wangqiang"], year=year)
    return year


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_every_tile_of_the_home_page_opens_its_service(browser, live_server, credit_year, shots, elder):
    base = live_server.url
    page = phone_page(browser, base, elder=elder)
    me = Journey(page, shots, f"home-{'elder' if elder else 'normal'}")
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_contain_text("社区服务")
    me.look("home")
    for n, (tile, expected) in enumerate(TILES.items()):
        page.goto(f"{base}/")
        page.get_by_role("link", name=tile).first.click()
        page.wait_for_load_state("load")
        assert page.url == f"{base}{expected}", (tile, page.url)
        assert "返回首页" not in main_text(page), (tile, page.url)  # the error pages' way out
        me.look(f"tile-{n}")
    page.goto(f"{base}/")
    page.get_by_role("link", name="信用名单").first.click()
    expect(page.locator("#list-risk")).to_contain_text("深圳市安居物业服务有限公司")
    assert "消防通道长期堵塞" not in main_text(page)  # the evidence stays in the console
    me.look("credit")
    me.done()
