"""Photos attached to appeals: type by content (magic bytes), size limit, stored through Django storage."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from shequ.core.errors import ShequError

from .models import Appeal, Photo

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 9
SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"RIFF": "image/webp"}


def sniff(head: bytes) -> str | None:
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            if kind == "image/webp" and head[8:12] != b"WEBP":
                continue
            return kind
    return None


def check_photo(upload: UploadedFile) -> str:
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ShequError(
            "A photo is at most 8 MB.", code="invalid_photo", fields={"photos": upload.name or ""}
        )
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ShequError(
            "Photos must be JPEG, PNG or WebP images.",
            code="invalid_photo",
            fields={"photos": upload.name or ""},
        )
    return kind


def photo_attach(*, appeal: Appeal, upload: UploadedFile, stage: str = "intake") -> Photo:
    kind = check_photo(upload)
    if appeal.photos.count() >= MAX_PHOTOS:
        raise ShequError(f"At most {MAX_PHOTOS} photos.", code="invalid_photo", fields={"photos": "too many"})
    return Photo.objects.create(
        appeal=appeal, file=upload, content_type=kind, size=upload.size or 0, stage=stage
    )
