"""Photos attached to appeals: cleaned by shequ.core.uploads, stored through Django storage, served by a view.

Every way in (the API, the portal form, intake by staff) goes through `photo_clean` and `photo_attach`; the only
way out is `views_photos.photo_file`, which applies the appeal's scope (issue 19).
"""

from __future__ import annotations

import logging
import re
from typing import IO

from django.core.files.base import ContentFile
from django.http import Http404
from django.utils.translation import gettext as _

from shequ.core.errors import ShequError
from shequ.core.uploads import MAX_IMAGE_BYTES, CleanImage, image_check, image_clean

from .models import Appeal, Photo

logger = logging.getLogger(__name__)

MAX_PHOTO_BYTES = MAX_IMAGE_BYTES
MAX_PHOTOS = 9
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


def photo_clean(upload: IO[bytes] | bytes) -> CleanImage:
    """An uploaded photo checked and re-encoded (ShequError `invalid_photo`, 400, if it is not a safe image)."""
    return image_clean(upload, code="invalid_photo", field_name="photos")


def too_many() -> ShequError:
    return ShequError(
        _("At most %(n)d photos.") % {"n": MAX_PHOTOS}, code="invalid_photo", fields={"photos": "too many"}
    )


def photo_attach(*, appeal: Appeal, upload: CleanImage | IO[bytes], stage: str = "intake") -> Photo:
    """Store a photo of the appeal under its random name. Pass a CleanImage when the photo was checked earlier
    (intake checks every photo before its transaction); anything else is cleaned here."""
    image = upload if isinstance(upload, CleanImage) else photo_clean(upload)
    if appeal.photos.count() >= MAX_PHOTOS:
        raise too_many()
    return Photo.objects.create(
        appeal=appeal,
        file=ContentFile(image.content, name=image.name),
        content_type=image.content_type,
        size=len(image.content),
        stage=stage,
    )


def photo_read(photo: Photo) -> bytes:
    """The stored bytes of a photo, checked again by their content; 404 when they are missing or not the image
    type the row says. Photos stored before issue 19 kept the uploader's bytes (checked by their first bytes
    only): those that are no real image are never served."""
    try:
        with photo.file.storage.open(photo.file.name, "rb") as f:
            content = f.read()  # written by us (re-encoded, or under the old 8 MB check)
    except OSError:
        logger.warning("photo %s: its file %r is missing", photo.pk, photo.file.name)
        raise Http404 from None
    try:
        detected = image_check(content)
    except ShequError:
        detected = ""
    if detected != photo.content_type:
        logger.warning("photo %s: stored bytes are not %s; not served", photo.pk, photo.content_type)
        raise Http404
    return content


def photo_filename(photo: Photo) -> str:
    """The name a browser sees: the stored random name, or for rows from before issue 19 (which kept the
    uploader's name) a generated one."""
    base = photo.file.name.rsplit("/", 1)[-1]
    extension = _EXTENSIONS[photo.content_type]
    if _RANDOM_NAME.match(base) and base.endswith("." + extension):
        return base
    return f"photo-{photo.pk}.{extension}"
