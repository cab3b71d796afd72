"""Leaflet's zoom buttons speak the page's language (issue 21): 放大/缩小, not "Zoom in"/"Zoom out"."""

import pytest

from shequ.demo.cast import DEMO_PASSWORD

from .restore import restore_migrated_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def people(transactional_db):
    from shequ.demo.cast import ensure_cast
    from shequ.geo.citypack import load_city_pack
    from shequ.geo.models import Area

    if not Area.objects.exists():  # an earlier transactional test's flush emptied every table
        load_city_pack("shenzhen")
    restore_migrated_data()
    yield ensure_cast()
    from shequ.audit.tests.tampering import wipe

    wipe()  # the audit trail refuses DELETE; the flush after a transactional test needs it empty


def test_the_location_map_zoom_buttons_are_titled_in_chinese(browser, live_server, people, shots):
    base = live_server.url
    page = browser.new_context(viewport={"width": 412, "height": 900}).new_page()
    page.goto(f"{base}/accounts/resident/")
    page.fill("#pw_phone", "13800000001")  # 张伟
    page.fill("#pw_password", DEMO_PASSWORD)
    page.click("form:has(input[value=password]) button[type=submit]")
    page.goto(f"{base}/appeals/new/")
    page.fill("#text", "小区门口的垃圾堆了三天没人清运，气味很大")
    page.click("main button[type=submit]")
    zoom_in = page.locator("#pick-map .leaflet-control-zoom-in")
    zoom_in.wait_for()
    assert zoom_in.get_attribute("title") == "放大"
    assert page.locator("#pick-map .leaflet-control-zoom-out").get_attribute("title") == "缩小"
    assert "Zoom" not in page.locator("#pick-map").inner_html()
    page.locator("#pick-map").screenshot(path=str(shots / "map-zoom-zh.png"))
