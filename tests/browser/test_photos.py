"""A resident reports a problem with a photo from a phone, in a real browser (issues 19 and 21): the portal form
takes a real photo and refuses a disguised page; the photo is shown to her and to staff in scope, as an image that
cannot run, and to nobody else."""

import re

import pytest

from shequ.core.tests import images

from .helpers import resident_login, staff_login

__all__ = ["people", "staff_login"]  # test_emergency takes both from here

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def people(cast_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return cast_world


def to_the_photo_step(page, base):
    resident_login(page, base)  # 张伟
    page.goto(f"{base}/appeals/new/")
    page.fill("#text", "小区门口的垃圾堆了三天没人清运，气味很大")
    page.click("main button[type=submit]")
    page.select_option("#district", "440304")
    page.click("button[name=go][value=refresh]")
    page.select_option("#street", label="华富街道")
    page.click("button[name=go][value=refresh]")
    page.select_option("#community", index=1)


def image_shown(page) -> bool:
    """Every image of the page decoded and drawn, waited for (up to 10 s) rather than read once: an image still
    loading is not yet `complete`, and reading at once made this test flaky."""
    page.wait_for_function(
        "() => document.querySelectorAll('main img').length > 0"
        " && [...document.querySelectorAll('main img')].every(i => i.complete && i.naturalWidth > 0)",
        timeout=10_000,
    )
    return True


def test_a_resident_submits_with_a_photo_and_only_the_right_people_see_it(
    browser, live_server, people, shots
):
    base = live_server.url
    resident = browser.new_context(viewport={"width": 412, "height": 880}).new_page()
    to_the_photo_step(resident, base)

    # A page dressed as a WebP photo is refused with a message she can read.
    resident.set_input_files(
        "#photos",
        files=[{"name": "x.webp", "mimeType": "image/webp", "buffer": images.riff_header_polyglot()}],
    )
    resident.click("button[name=go][value=next]")
    assert "JPEG、PNG 或 WebP 格式的图片" in resident.locator("main").inner_text()
    resident.screenshot(path=str(shots / "report-photo-refused.png"), full_page=True)

    # A phone photo (turned by its EXIF orientation, with a script after its end) goes through.
    photo = images.jpeg((400, 200), orientation=6) + images.HTML
    resident.select_option("#community", index=1)
    resident.set_input_files(
        "#photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    resident.click("button[name=go][value=next]")
    assert resident.url.endswith("/appeals/new/confirm/"), resident.locator("main").inner_text()
    resident.click("main button.btn-success")
    assert re.search(r"/me/appeals/\d+/$", resident.url), resident.locator("main").inner_text()
    number = resident.locator("h1").inner_text().split()[0]
    assert image_shown(resident)
    resident.screenshot(path=str(shots / "my-appeal-with-photo.png"), full_page=True)

    src = resident.locator("main img").first.get_attribute("src")
    assert re.fullmatch(r"/appeals/photos/\d+/", src)
    opened = resident.goto(base + src)
    headers = opened.headers
    assert opened.status == 200 and headers["content-type"] == "image/jpeg"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert re.fullmatch(r'inline; filename="[0-9a-f]{32}\.jpg"', headers["content-disposition"])
    assert b"script" not in opened.body()

    # Staff in scope see it on the appeal's page; staff elsewhere and anonymous visitors get 404.
    dispatcher = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_login(dispatcher, base, "sunli")
    dispatcher.goto(f"{base}/console/appeals/?queue=to_dispatch")
    dispatcher.click(f"text={number}")
    assert image_shown(dispatcher)
    outside = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff_login(outside, base, "wangqiang")
    assert outside.goto(base + src).status == 404
    anonymous = browser.new_context().new_page()
    assert anonymous.goto(base + src).status == 404
