"""Uploaded images, for every module: the type from the content, the pixels re-encoded, a random name (issue 19).

An upload is untrusted bytes with an untrusted name. A file whose first bytes say "image" can still be a page (a
RIFF/WebP header followed by HTML ran `alert(document.domain)` in Chromium when served from our origin), and a
small PNG can declare billions of pixels. So:

- the bytes are read up to a size limit, opened by Pillow restricted to JPEG, PNG and WebP, checked for a pixel
  limit before anything is decoded, `verify()`-ed, then opened again and decoded;
- the picture is turned upright by its EXIF orientation and re-encoded from its pixels alone: no EXIF (GPS of a
  resident's home), no comments, no ICC profile, no extra chunks, nothing after the end. What is stored is what
  Pillow wrote, never what was uploaded;
- it is named `<uuid4 hex>.<extension of the detected type>`; the uploader's name is not kept anywhere;
- it is served only by a view that checks the viewer's scope, through `image_response`: the detected image type,
  `nosniff`, a sandboxing Content-Security-Policy and `Cache-Control: private`. MEDIA_URL serves nothing.

Every refusal is a `ShequError` (400) with a message for the person; callers choose the error code and field.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from typing import IO, Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .errors import ShequError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
# 40 megapixels: a 48 MP phone sensor bins to 12 MP photos; a panorama of 40 MP decodes to 160 MB as RGBA, which is
# as much as one request should hold.
MAX_IMAGE_PIXELS = 40_000_000

# Pillow format → (MIME type, extension). MPO is how Pillow reads the multi-picture JPEGs some phones write.
_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
_OPEN_FORMATS = ["JPEG", "PNG", "WEBP"]  # MPO comes through the JPEG opener
_SAVE: dict[str, tuple[str, dict[str, Any]]] = {
    "image/jpeg": ("JPEG", {"quality": 90}),
    "image/png": ("PNG", {}),
    "image/webp": ("WEBP", {"quality": 90}),
}
# A heavily compressed upload re-encodes larger than it came: lossy formats step down until they fit the limit.
_LOWER_QUALITIES = (80, 70, 60)
IMAGE_TYPES = frozenset(_SAVE)


@dataclass(frozen=True)
class CleanImage:
    """An image as stored: re-encoded bytes, their type, and a random file name with that type's extension."""

    content: bytes = field(repr=False)
    content_type: str
    extension: str
    width: int
    height: int
    name: str


def _refuse(message: str, *, code: str, field_name: str, reason: str) -> ShequError:
    return ShequError(message, code=code, fields={field_name: reason})


def _not_an_image(code: str, field_name: str) -> ShequError:
    return _refuse(
        _("The file must be a JPEG, PNG or WebP image."), code=code, field_name=field_name, reason="type"
    )


def _read(upload: IO[bytes] | bytes, *, max_bytes: int, code: str, field_name: str) -> bytes:
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > max_bytes:
            raise _too_big(max_bytes, code, field_name)
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(max_bytes, code, field_name)
    return data


def _too_big(max_bytes: int, code: str, field_name: str) -> ShequError:
    return _refuse(
        _("An image is at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)},
        code=code,
        field_name=field_name,
        reason="size",
    )


def _open(data: bytes, *, max_pixels: int, code: str, field_name: str) -> Image.Image:
    """Open and verify; return the image opened again (verify() leaves it unusable), not yet decoded."""
    try:
        with Image.open(io.BytesIO(data), formats=_OPEN_FORMATS) as probe:
            _check_pixels(probe, max_pixels=max_pixels, code=code, field_name=field_name)
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except ShequError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(max_pixels, code, field_name) from None
    except Exception:
        # Pillow's decoders raise a zoo of types on malformed input (OSError, SyntaxError, ValueError,
        # struct.error, EOFError...): every one of them means "not an image we take".
        raise _not_an_image(code, field_name) from None
    if image.format not in _FORMATS:
        raise _not_an_image(code, field_name)
    return image


def _check_pixels(image: Image.Image, *, max_pixels: int, code: str, field_name: str) -> None:
    # The header's size, before a single pixel is decoded; our limit is below Pillow's own (89 MP).
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        raise _too_many_pixels(max_pixels, code, field_name)


def _too_many_pixels(max_pixels: int, code: str, field_name: str) -> ShequError:
    return _refuse(
        _("An image is at most %(mp)d megapixels.") % {"mp": max_pixels // 1_000_000},
        code=code,
        field_name=field_name,
        reason="pixels",
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _pixels_only(image: Image.Image, content_type: str) -> Image.Image:
    """The picture upright, in a mode its format saves, carrying no metadata at all."""
    upright = ImageOps.exif_transpose(image)  # a new image; EXIF orientation applied
    if content_type == "image/jpeg":
        mode = "L" if upright.mode in ("1", "L") else "RGB"
    elif _has_alpha(upright):
        mode = "RGBA"
    else:
        mode = "L" if content_type == "image/png" and upright.mode in ("1", "L") else "RGB"
    pixels = upright.convert(mode) if upright.mode != mode else upright.copy()
    # Pillow's writers copy some of `info` into the file (a JPEG's comment, an ICC profile, PNG text): empty it.
    pixels.info = {}
    return pixels


def _encode(pixels: Image.Image, fmt: str, options: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    pixels.save(out, fmt, **options)
    return out.getvalue()


def image_clean(
    upload: IO[bytes] | bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    code: str = "invalid_image",
    field_name: str = "file",
) -> CleanImage:
    """Check an upload and return it re-encoded under a random name, or raise ShequError (400).

    JPEG stays JPEG, PNG stays PNG (transparency kept), WebP stays WebP; only the first frame of an animation is
    kept. Nothing is stored here: the caller saves `content` under `name` through the storage API.
    """
    data = _read(upload, max_bytes=max_bytes, code=code, field_name=field_name)
    with _open(data, max_pixels=max_pixels, code=code, field_name=field_name) as image:
        content_type, extension = _FORMATS[str(image.format)]
        fmt, options = _SAVE[content_type]
        try:
            pixels = _pixels_only(image, content_type)
            content = _encode(pixels, fmt, options)
            for quality in _LOWER_QUALITIES if "quality" in options else ():
                if len(content) <= max_bytes:
                    break
                content = _encode(pixels, fmt, {**options, "quality": quality})
        except ShequError:
            raise
        except Image.DecompressionBombError:
            raise _too_many_pixels(max_pixels, code, field_name) from None
        except Exception:
            # A header that verify() accepted with pixel data that does not decode (truncated, corrupt).
            raise _not_an_image(code, field_name) from None
    if len(content) > max_bytes:
        # What is stored must pass the same limit again (a draft is cleaned once more when it is submitted).
        raise _too_big(max_bytes, code, field_name)
    return CleanImage(
        content=content,
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
        name=f"{uuid.uuid4().hex}.{extension}",
    )


def image_check(data: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> str:
    """The MIME type of stored image bytes, checked by their content again (for serving); ShequError if they are
    not a JPEG, PNG or WebP image. Cheap: headers and checksums, no re-encoding."""
    with _open(data, max_pixels=max_pixels, code="invalid_image", field_name="file") as image:
        return _FORMATS[str(image.format)][0]


def image_response(*, content: bytes, content_type: str, name: str, attachment: bool = False) -> HttpResponse:
    """An image answered so that no browser treats it as a page: only image types, never sniffed, sandboxed if
    opened on its own, kept out of shared caches. `name` must be a safe, generated name (no quotes)."""
    if content_type not in IMAGE_TYPES:
        raise ValueError(f"{content_type!r} is not an image type we serve")
    if not name or any(c in name for c in '"\\\r\n;/'):
        raise ValueError(f"{name!r} is not a generated file name")
    response = HttpResponse(content, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{name}"'
    # Opened as a page of its own, the response runs nothing and reaches nothing (the middleware's page policy
    # is only set where the view has not set one).
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
