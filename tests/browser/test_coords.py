"""coords.js in Chromium agrees with shequ.geo.coords (WGS84 ↔ GCJ-02), and a GCJ-02 base layer keeps what the
resident sends in WGS84 (issue 21)."""

import pytest

from shequ.geo.coords import gcj02_to_wgs84, wgs84_to_gcj02

from .test_resident_loop import PHONE, _to_the_location_step, people  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

POINTS = [(116.404, 39.915), (114.0579, 22.5431), (113.9305, 22.5333), (139.7, 35.7)]


def test_the_browser_converts_as_python_does(browser, live_server, people):  # noqa: F811
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/")
    page.add_script_tag(url="/static/shequ/coords.js")
    for lng, lat in POINTS:
        fwd = page.evaluate("([x, y]) => ShequCoords.wgs84ToGcj02(x, y)", [lng, lat])
        assert fwd == pytest.approx(list(wgs84_to_gcj02(lng, lat)), abs=1e-12)
        back = page.evaluate("([x, y]) => ShequCoords.gcj02ToWgs84(x, y)", fwd)
        assert back == pytest.approx(list(gcj02_to_wgs84(*fwd)), abs=1e-9)
        assert back == pytest.approx([lng, lat], abs=1e-8)
    assert page.evaluate("ShequCoords.wgs84ToGcj02(116.404, 39.915)") == [
        116.41024449916938,
        39.91640428150164,
    ]


def test_on_a_gcj02_base_layer_the_position_sent_stays_wgs84(browser, live_server, people, settings):  # noqa: F811
    settings.SHEQU_MAP = {"tiles": "", "attribution": "", "crs": "gcj02"}
    ctx = browser.new_context(
        viewport=PHONE, permissions=["geolocation"], geolocation={"latitude": 22.5431, "longitude": 114.0579}
    )
    page = ctx.new_page()
    _to_the_location_step(page, live_server.url)
    assert page.get_attribute("#pick-map", "data-crs") == "gcj02"
    page.click("#use-my-location")
    page.wait_for_function("() => document.querySelector('#lat').value !== ''")
    assert page.input_value("#lat") == "22.543100" and page.input_value("#lng") == "114.057900"
