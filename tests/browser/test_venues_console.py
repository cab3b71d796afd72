"""Venues kept in the console (issue 25: staff could only create venues through code): 王强, street officer of
粤海街道, adds a court with a photo on a desktop (a first try whose longest booking cannot hold a slot is refused
and keeps what he typed), sees it on the residents' page, then edits it on his phone: a larger capacity, the photo
removed. Every page he loads is looked at (helpers.Journey: screenshot, Chinese, axe-core)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import PHONE, Journey, phone_page, staff_login, staff_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

NAME = "粤海街道科技园篮球场"
ALWAYS = {d: [["08:00", "22:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def facility(cast_world, settings, tmp_path):
    from shequ.facilities.services import facility_types_ensure
    from shequ.facilities.tests.helpers import community, make_facility

    settings.MEDIA_ROOT = tmp_path
    facility_types_ensure()  # the flush of an earlier transactional test took the migrated facility types
    return make_facility(
        "粤海街道文体中心",
        (22.54, 113.94),
        type="party_service",
        area=community("粤海街道", "440305"),
        hours=ALWAYS,
    )


@pytest.fixture
def photo(tmp_path):
    from shequ.core.tests import images

    path = tmp_path / "court.jpg"
    path.write_bytes(images.jpeg((640, 480)))
    return path


def shows_its_image(img) -> None:
    expect(img).to_be_visible()
    assert img.evaluate("i => i.complete && i.naturalWidth") > 0, img.get_attribute("src")


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_an_officer_adds_a_venue_with_a_photo_on_a_desktop_and_edits_it_on_his_phone(
    browser, live_server, facility, photo, shots
):
    from shequ.venues.models import Venue

    base = live_server.url
    desk = staff_page(browser, base, "wangqiang")
    me = Journey(desk, shots, "venues-console-officer")
    me.look("console")
    desk.get_by_role("link", name="场地", exact=True).first.click()
    expect(desk.locator("main h1")).to_have_text("场地")
    me.look("venues")
    desk.get_by_role("link", name="新建场地").click()
    expect(desk.locator("main h1")).to_have_text("新建场地")
    me.look("new")

    desk.get_by_label("所属设施").select_option(label=f"{facility.area.name} · {facility.name}")
    desk.get_by_label("场地名称").fill(NAME)
    desk.get_by_label("场地类型").select_option(label="球场")
    desk.get_by_label("容纳人数").fill("20")
    desk.get_by_label("价格（元）").fill("20.5")
    desk.get_by_label("场地简介").fill("室外标准篮球场，夜间有灯光。")
    desk.get_by_label("时段长度（分钟）").fill("60")
    desk.get_by_label("最长预约时长（分钟）").fill("45")
    desk.get_by_label("添加照片").set_input_files(str(photo))
    desk.get_by_role("button", name="保存场地").click()
    # Refused: the longest booking cannot hold one slot. Nothing is saved; what he typed is still there.
    expect(desk.locator("#venue-form-refused")).to_contain_text("未保存：请修改标出的项目。")
    expect(desk.locator("#venue-form-refused")).to_contain_text("请重新选择照片")
    expect(desk.locator("#id_max_length_minutes_error")).to_have_text(
        "最长预约时长至少要容纳一个时段（60分钟）。"
    )
    expect(desk.get_by_label("最长预约时长（分钟）")).to_have_attribute("aria-invalid", "true")
    expect(desk.get_by_label("场地名称")).to_have_value(NAME)
    expect(desk.get_by_label("价格（元）")).to_have_value("20.5")
    expect(desk.get_by_label("场地简介")).to_have_value("室外标准篮球场，夜间有灯光。")
    assert not Venue.objects.exists()
    me.look("refused")

    desk.get_by_label("最长预约时长（分钟）").fill("120")
    desk.get_by_label("添加照片").set_input_files(str(photo))
    desk.get_by_role("button", name="保存场地").click()
    expect(desk.get_by_role("status")).to_contain_text(f"场地“{NAME}”已保存，居民现在可以预约。")
    expect(desk.locator("main h1")).to_contain_text(NAME)
    me.look("saved")
    venue = Venue.objects.get()
    assert (venue.price_cents, venue.kind, venue.max_length_minutes, len(venue.photos)) == (
        2050,
        "court",
        120,
        1,
    )

    # The residents' page of the venue shows the photo.
    desk.goto(f"{base}/venues/{venue.pk}/")
    expect(desk.locator("main h1")).to_have_text(NAME)
    shows_its_image(desk.get_by_role("img", name="场地照片1"))
    me.look("portal")
    me.done()

    phone = phone_page(browser, base)
    staff_login(phone, base, "wangqiang")
    mobile = Journey(phone, shots, "venues-console-officer-phone")
    mobile.look("console")
    phone.goto(f"{base}/console/venues/")
    mobile.look("venues")
    phone.get_by_role("link", name=NAME).click()
    expect(phone.locator("main h1")).to_contain_text(NAME)
    mobile.look("day")
    phone.get_by_role("link", name="编辑场地").click()
    expect(phone.locator("main h1")).to_contain_text("编辑场地")
    expect(phone.get_by_label("场地名称")).to_have_value(NAME)
    expect(phone.get_by_label("价格（元）")).to_have_value("20.5")
    shows_its_image(phone.get_by_role("img", name="场地照片1"))
    fits_the_phone(phone)
    mobile.look("edit")
    phone.get_by_label("容纳人数").fill("24")
    phone.get_by_label("删除照片1").check()
    phone.get_by_role("button", name="保存修改").click()
    expect(phone.get_by_role("status")).to_contain_text(f"对“{NAME}”的修改已保存。")
    fits_the_phone(phone)
    mobile.look("edited")
    mobile.done()

    venue.refresh_from_db()
    assert (venue.capacity, venue.photos) == (24, [])
