"""Photos of appeals can never run as script (issue 19), and the portal form submits with a photo (issue 21).

Uploads go through shequ.core.uploads (type from the content, re-encoded, random name); photos are served only
by a view that applies the appeal's scope, with headers that keep the browser from treating them as a page.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches

from shequ.access.testing import sign_in
from shequ.appeals import services
from shequ.appeals.models import Appeal, Event, Photo
from shequ.core.tests import images

from . import fixtures

clock = fixtures.clock
world = fixtures.world

pytestmark = pytest.mark.django_db

PHOTOS_URL = "/api/v1/appeals/with-photos"
EIGHT_MB = 8 * 1024 * 1024
STORED_NAME = re.compile(r"^appeals/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp)$")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def payload(world) -> dict:
    return {
        "text": "小区门口的垃圾桶三天没人清理了，味道很大",
        "category": "sanitation",
        "area": world.huafu_community.code,
        "contact_phone": "13912345678",
        "channel": "portal",
    }


def appeal_with_photo(
    world, content: bytes | None = None, name: str = "IMG_0001.jpg"
) -> tuple[Appeal, Photo]:
    appeal = services.appeal_submit(
        actor=world["zhangwei"],
        requester=world["zhangwei"],
        data=services.IntakeData(
            text="小区门口的垃圾桶三天没人清理了，味道很大",
            channel="portal",
            category="sanitation",
            area=world.huafu_community.code,
            contact_phone="13912345678",
        ),
        photos=[upload(name, content or images.jpeg())],
    )
    return appeal, appeal.photos.get()


def photo_url(photo: Photo) -> str:
    return f"/appeals/photos/{photo.pk}/"


# --- the API's upload ----------------------------------------------------------------------------------------------
def test_an_api_upload_is_stored_re_encoded_under_a_random_name(client, world, payload, media):
    sign_in(client, world["zhangwei"])
    dirty = images.jpeg(comment=images.SCRIPT) + images.HTML
    r = client.post(PHOTOS_URL, {**payload, "photos": [upload("x.html", dirty, "text/html")]})
    assert r.status_code == 201, r.content
    photo = Photo.objects.get(appeal_id=r.json()["id"])
    assert STORED_NAME.match(photo.file.name) and photo.file.name.endswith(".jpg")
    assert photo.content_type == "image/jpeg"
    stored = photo.file.read()
    assert b"script" not in stored and photo.size == len(stored)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.html", images.HTML),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'),
        ("x.jpg", b"alert(document.domain);" + b" " * 64),
        ("x.webp", images.riff_header_polyglot()),
        ("bomb.png", images.png_bomb()),
        ("huge.png", images.png() + b"\0" * EIGHT_MB),
    ],
    ids=["html", "svg", "js_renamed_jpg", "riff_webp_polyglot", "decompression_bomb", "over_8_mb"],
)
def test_an_api_upload_that_is_not_a_safe_image_is_a_400_and_nothing_is_written(
    client, world, payload, media, name, content
):
    sign_in(client, world["zhangwei"])
    r = client.post(PHOTOS_URL, {**payload, "photos": [upload(name, content)]})
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid_photo"
    assert not Appeal.objects.exists() and not Photo.objects.exists() and not Event.objects.exists()
    assert stored_files(media) == []


def test_a_webp_polyglot_is_kept_as_a_picture_without_its_script(client, world, payload, media):
    sign_in(client, world["zhangwei"])
    r = client.post(
        PHOTOS_URL, {**payload, "photos": [upload("x.webp", images.webp_polyglot(), "image/webp")]}
    )
    assert r.status_code == 201, r.content
    photo = Photo.objects.get()
    assert photo.file.name.endswith(".webp") and b"script" not in photo.file.read()


# --- serving ---------------------------------------------------------------------------------------------------------
def test_the_owner_gets_the_photo_with_headers_that_keep_it_an_image(client, world, media):
    _, photo = appeal_with_photo(world, images.jpeg(comment=images.SCRIPT))
    sign_in(client, world["zhangwei"])
    r = client.get(photo_url(photo))
    assert r.status_code == 200
    random_name = photo.file.name.rsplit("/", 1)[1]
    assert r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"] == f'inline; filename="{random_name}"'
    assert r["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert r["Cache-Control"] == "private"
    assert b"".join(r.streaming_content if r.streaming else [r.content]) == photo.file.read()


@pytest.mark.parametrize("username", ["lina", "sunli"])
def test_staff_in_scope_get_the_photo(client, world, media, username):
    _, photo = appeal_with_photo(world)
    sign_in(client, world[username])
    assert client.get(photo_url(photo)).status_code == 200


def test_an_anonymous_visitor_gets_404(client, world, media):
    _, photo = appeal_with_photo(world)
    assert client.get(photo_url(photo)).status_code == 404


def test_a_resident_who_does_not_own_the_appeal_gets_404(client, world, media, make_user):
    _, photo = appeal_with_photo(world)
    sign_in(client, make_user("neighbour", display_name="邻居"))
    assert client.get(photo_url(photo)).status_code == 404


class TestPhotoFile:
    def test_photo_permission_matrix(self, client, world, media, make_user):
        """Anonymous, no role, not the owner, out of scope: 404, each exactly like a photo that does not exist.
        The owner and staff in scope: the image."""
        _, photo = appeal_with_photo(world)
        nobody = make_user("nobody", display_name="无角色")
        for user in [None, nobody, make_user("neighbour", display_name="邻居"), world["wangqiang"]]:
            client.logout()
            if user is not None:
                sign_in(client, user)
            missing = client.get("/appeals/photos/999999/")
            r = client.get(photo_url(photo))
            assert r.status_code == missing.status_code == 404 and r.content == missing.content, user
        for username in ["zhangwei", "lina", "sunli"]:
            sign_in(client, world[username])
            assert client.get(photo_url(photo)).status_code == 200, username


def test_staff_outside_the_appeals_area_get_404(client, world, media):
    _, photo = appeal_with_photo(world)
    sign_in(client, world["wangqiang"])  # 南山区 粤海街道
    assert client.get(photo_url(photo)).status_code == 404


def test_a_photo_that_does_not_exist_gets_404(client, world, media):
    sign_in(client, world["sunli"])
    assert client.get("/appeals/photos/999999/").status_code == 404


def test_the_media_url_serves_no_photos_even_in_debug(client, world, media, settings):
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        assert not [p for p in config.urls.urlpatterns if "media" in str(p.pattern)]
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_the_console_and_the_portal_show_photos_through_the_view(client, world, media):
    appeal, photo = appeal_with_photo(world)
    sign_in(client, world["sunli"])
    page = client.get(f"/console/appeals/{appeal.pk}/").content.decode()
    assert photo_url(photo) in page and "/media/" not in page
    sign_in(client, world["zhangwei"])
    page = client.get(f"/me/appeals/{appeal.pk}/").content.decode()
    assert photo_url(photo) in page and "/media/" not in page


# --- rows stored before issue 19 -----------------------------------------------------------------------------------
def legacy_photo(appeal: Appeal, name: str, content: bytes, content_type: str) -> Photo:
    """A row as the old upload left it: the uploader's name and extension, bytes checked by their start only.
    Written with the ORM on purpose: no service can make such a row any more."""
    from django.core.files.storage import default_storage

    stored = default_storage.save(name, ContentFile(content))
    return Photo.objects.create(appeal=appeal, file=stored, content_type=content_type, size=len(content))


def test_an_old_photo_under_the_uploaders_name_is_served_as_its_image_type_under_a_safe_name(
    client, world, media
):
    appeal, _ = appeal_with_photo(world)
    old = legacy_photo(appeal, "appeals/2025/01/x.html", images.png(), "image/png")
    sign_in(client, world["zhangwei"])
    r = client.get(photo_url(old))
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert r["Content-Disposition"] == f'inline; filename="photo-{old.pk}.png"'
    assert r["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_an_old_polyglot_that_is_no_image_is_not_served(client, world, media):
    appeal, _ = appeal_with_photo(world)
    old = legacy_photo(appeal, "appeals/2025/01/x.html", images.riff_header_polyglot(), "image/webp")
    sign_in(client, world["zhangwei"])
    assert client.get(photo_url(old)).status_code == 404


# --- the portal form (issue 21) ------------------------------------------------------------------------------------
def describe_and_locate(client, world, files: list | None = None):
    r = client.post("/appeals/new/", {"text": "楼下垃圾桶满了溢出来，苍蝇很多", "category": "sanitation"})
    assert r.status_code == 302
    community = world.huafu_community
    return client.post(
        "/appeals/new/location/",
        {
            "district": "440304",
            "street": community.parent.code,
            "community": community.code,
            "photos": files or [],
            "go": "next",
        },
    )


def test_a_resident_submits_the_portal_form_with_a_photo(client, world, media):
    sign_in(client, world["zhangwei"])
    r = describe_and_locate(client, world, [upload("IMG_0001.jpg", images.jpeg(orientation=6) + images.HTML)])
    assert r.status_code == 302 and r["Location"] == "/appeals/new/confirm/", r.content.decode()
    page = client.get("/appeals/new/confirm/").content.decode()
    assert re.search(r"<dt[^>]*>照片</dt><dd[^>]*>1 张</dd>", page), page
    r = client.post("/appeals/new/confirm/", {})
    appeal = Appeal.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/me/appeals/{appeal.pk}/"
    photo = appeal.photos.get()
    assert STORED_NAME.match(photo.file.name) and photo.content_type == "image/jpeg"
    # The draft's copy is gone; only the appeal's photo is left in storage.
    assert [p.relative_to(media).as_posix() for p in stored_files(media)] == [photo.file.name]
    served = client.get(photo_url(photo))
    assert served.status_code == 200 and b"script" not in served.content


def test_the_confirm_step_says_no_photo_in_words_when_there_is_none(client, world, media):
    sign_in(client, world["zhangwei"])
    assert describe_and_locate(client, world).status_code == 302
    page = client.get("/appeals/new/confirm/").content.decode()
    assert re.search(r"<dt[^>]*>照片</dt><dd[^>]*>无</dd>", page), page


def test_the_portal_refuses_a_file_that_is_not_an_image_with_a_clear_message(client, world, media):
    sign_in(client, world["zhangwei"])
    r = describe_and_locate(client, world, [upload("x.jpg", images.HTML)])
    assert r.status_code == 200
    assert "JPEG" in r.content.decode() and "图片" in r.content.decode()
    assert stored_files(media) == []


def test_a_draft_photo_that_is_gone_is_dropped_with_a_message_and_the_retry_submits(client, world, media):
    sign_in(client, world["zhangwei"])
    describe_and_locate(client, world, [upload("a.png", images.png(), "image/png")])
    for f in stored_files(media):
        f.unlink()  # e.g. a clean-up of old drafts ran between the steps
    r = client.post("/appeals/new/confirm/", {})
    assert r.status_code == 200 and "重新添加" in r.content.decode()
    assert not Appeal.objects.exists()
    r = client.post("/appeals/new/confirm/", {})
    assert r.status_code == 302 and Appeal.objects.get().photos.count() == 0


def test_a_refused_photo_at_confirm_leaves_no_appeal_and_does_not_block_the_retry(
    client, world, media, monkeypatch
):
    from shequ.core.errors import ShequError

    sign_in(client, world["zhangwei"])
    describe_and_locate(client, world, [upload("a.png", images.png(), "image/png")])

    def refuse(upload, **kw):
        raise ShequError("refused", code="invalid_photo", fields={"photos": "a.png"})

    from shequ.appeals import photos

    real = photos.photo_clean
    monkeypatch.setattr(photos, "photo_clean", refuse)
    r = client.post("/appeals/new/confirm/", {})
    assert r.status_code == 200 and not Appeal.objects.exists() and not Photo.objects.exists()
    assert stored_files(media) == []  # the draft's photo was let go: a retry must not fail the same way
    monkeypatch.setattr(photos, "photo_clean", real)
    r = client.post("/appeals/new/confirm/", {})
    assert r.status_code == 302 and Appeal.objects.count() == 1
