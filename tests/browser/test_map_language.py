"""Leaflet's zoom buttons speak the page's language (issue 21): 放大/缩小, not "Zoom in"/"Zoom out"."""

import pytest

from .helpers import resident_login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_location_map_zoom_buttons_are_titled_in_chinese(browser, live_server, cast_world, shots):
    base = live_server.url
    page = browser.new_context(viewport={"width": 412, "height": 900}).new_page()
    resident_login(page, base)  # 张伟
    page.goto(f"{base}/appeals/new/")
    page.fill("#text", "小区门口的垃圾堆了三天没人清运，气味很大")
    page.click("main button[type=submit]")
    zoom_in = page.locator("#pick-map .leaflet-control-zoom-in")
    zoom_in.wait_for()
    assert zoom_in.get_attribute("title") == "放大"
    assert page.locator("#pick-map .leaflet-control-zoom-out").get_attribute("title") == "缩小"
    assert "Zoom" not in page.locator("#pick-map").inner_html()
    page.locator("#pick-map").screenshot(path=str(shots / "map-zoom-zh.png"))
