"""Test images built in memory: good ones, and the hostile files an upload must refuse or clean (issue 19)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

SCRIPT = b"<script>alert(document.domain)</script>"
HTML = b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"


def png(size: tuple[int, int] = (32, 24), *, mode: str = "RGB", colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg(
    size: tuple[int, int] = (40, 20),
    *,
    orientation: int | None = None,
    comment: bytes = b"",
    exif_text: str = "",
) -> bytes:
    """A JPEG, optionally with an EXIF orientation (6: the camera was turned; shown rotated 90° clockwise), an
    EXIF text field and a COM comment."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if exif_text:
        exif[0x010E] = exif_text  # ImageDescription
    params: dict = {"quality": 90}
    if orientation or exif_text:
        params["exif"] = exif.tobytes()
    if comment:
        params["comment"] = comment
    image = Image.new("RGB", size, (200, 40, 40))
    # The left half differs, so that a rotation can be seen in the pixels.
    image.paste((20, 200, 20), (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", **params)
    return out.getvalue()


def webp(size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 160, 90)).save(out, "WEBP")
    return out.getvalue()


def _riff(chunks: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def _chunk(tag: bytes, data: bytes) -> bytes:
    return tag + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")


def webp_polyglot() -> bytes:
    """A valid WebP that also carries an HTML page with a script, in an extra RIFF chunk."""
    image = webp()
    return _riff(image[12:] + _chunk(b"XSS ", HTML))


def riff_header_polyglot() -> bytes:
    """The file that ran alert(document.domain): a RIFF/WEBP header, then an HTML page, no image at all."""
    return _riff(_chunk(b"VP8 ", HTML))


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A 1-bit PNG that declares width × height pixels and compresses to a few kilobytes (a decompression bomb)."""
    row = b"\0" + b"\0" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
