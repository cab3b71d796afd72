"""The shared image upload (issue 19): the type comes from the content, the image is re-encoded without metadata and
named at random; scripts, markup, bombs and oversize files are refused with a clear error."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shequ.core.errors import ShequError
from shequ.core.uploads import MAX_IMAGE_BYTES, image_check, image_clean, image_response

from . import images

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refused(content: bytes, name: str = "photo.jpg") -> ShequError:
    with pytest.raises(ShequError) as caught:
        image_clean(upload(name, content))
    assert caught.value.status == 400
    return caught.value


# --- what is refused -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.html", images.HTML),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><rect/></svg>'),
        ("x.jpg", b"alert(document.domain);//" + b" " * 64),
        ("x.webp", images.riff_header_polyglot()),
        ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
        ("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
    ids=["html", "svg", "js_renamed_jpg", "riff_webp_header_then_html", "png_signature_only", "gif"],
)
def test_a_file_that_is_not_a_jpeg_png_or_webp_image_is_refused(name, content):
    error = refused(content, name)
    assert error.code == "invalid_image"
    assert "JPEG" in error.message


def test_an_image_over_8_mb_is_refused_before_it_is_decoded():
    error = refused(images.png() + b"\0" * MAX_IMAGE_BYTES)
    assert error.code == "invalid_image" and "8 MB" in error.message


def test_a_decompression_bomb_is_a_clear_400_not_a_crash():
    error = refused(images.png_bomb(20000, 20000), "bomb.png")
    assert error.code == "invalid_image" and "40" in error.message


def test_an_image_over_40_megapixels_is_refused_even_below_pillows_own_limit():
    refused(images.png_bomb(8000, 6000), "big.png")  # 48 MP: under Pillow's 89 MP warning, over ours


def test_the_error_is_in_chinese_for_a_chinese_page():
    from django.utils import translation

    with translation.override("zh-hans"):
        error = refused(images.HTML, "x.html")
    assert "图片" in error.message


# --- what is cleaned -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [
        (images.jpeg(), "image/jpeg", "jpg"),
        (images.png(), "image/png", "png"),
        (images.webp(), "image/webp", "webp"),
    ],
    ids=["jpeg", "png", "webp"],
)
def test_jpeg_png_and_webp_are_re_encoded_under_a_random_name_with_the_detected_extension(
    content, content_type, extension
):
    clean = image_clean(upload("IMG_0001.html", content, "text/html"))
    assert clean.content_type == content_type and clean.extension == extension
    assert RANDOM_NAME.match(clean.name) and clean.name.endswith("." + extension)
    assert "IMG_0001" not in clean.name
    assert (
        Image.open(io.BytesIO(clean.content)).format
        == {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[extension]
    )


def test_two_uploads_of_the_same_image_get_different_names():
    assert image_clean(ContentFile(images.png())).name != image_clean(ContentFile(images.png())).name


def test_a_webp_polyglot_keeps_the_picture_and_loses_the_script():
    clean = image_clean(upload("x.webp", images.webp_polyglot(), "image/webp"))
    assert clean.content_type == "image/webp"
    assert b"script" not in clean.content and b"html" not in clean.content.lower()


def test_a_jpeg_with_script_in_a_comment_in_exif_and_after_the_end_is_cleaned():
    content = images.jpeg(comment=images.SCRIPT, exif_text=images.SCRIPT.decode()) + images.HTML
    assert content.count(b"<script>") == 3
    clean = image_clean(upload("x.jpg", content))
    assert clean.content_type == "image/jpeg"
    assert b"script" not in clean.content and b"alert" not in clean.content
    assert not Image.open(io.BytesIO(clean.content)).getexif()


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation_and_the_exif_is_gone():
    clean = image_clean(upload("phone.jpg", images.jpeg((40, 20), orientation=6)))
    result = Image.open(io.BytesIO(clean.content))
    assert result.size == (20, 40)  # turned 90°
    assert 0x0112 not in result.getexif()
    # Orientation 6 turns the picture clockwise: the green left half is now on top.
    r, g, _ = result.convert("RGB").getpixel((10, 5))
    assert g > 150 and r < 100


def test_a_heavily_compressed_jpeg_that_grows_when_re_encoded_still_fits_the_limit():
    import random

    rng = random.Random(19)
    noise = Image.frombytes("RGB", (160, 160), bytes(rng.randrange(256) for _ in range(160 * 160 * 3)))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=20)
    content = out.getvalue()
    assert len(image_clean(content, max_bytes=10**7).content) > len(content)  # at quality 90 it grows
    clean = image_clean(content, max_bytes=len(content) * 2)
    assert len(clean.content) <= len(content) * 2
    with pytest.raises(ShequError):
        image_clean(content, max_bytes=len(content))  # even at the lowest quality it would not fit


def test_a_png_keeps_its_transparency():
    clean = image_clean(ContentFile(images.png(mode="RGBA", colour=(0, 0, 0, 0))))
    assert Image.open(io.BytesIO(clean.content)).mode == "RGBA"


# --- checking stored bytes and serving them -----------------------------------------------------------------------
def test_a_stored_image_is_checked_again_by_its_content():
    assert image_check(images.png()) == "image/png"
    assert image_check(images.webp_polyglot()) == "image/webp"
    with pytest.raises(ShequError):
        image_check(images.riff_header_polyglot())
    with pytest.raises(ShequError):
        image_check(images.HTML)


def test_the_response_cannot_run_as_a_page():
    response = image_response(content=images.png(), content_type="image/png", name="0123abcd.png")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="0123abcd.png"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private"
    assert response.content == images.png()


def test_the_response_refuses_a_type_that_is_not_an_image():
    with pytest.raises(ValueError):
        image_response(content=images.HTML, content_type="text/html", name="x.html")
