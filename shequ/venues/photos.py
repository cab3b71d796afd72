"""Photos of a venue (issue 25): cleaned by shequ.core.uploads, stored through Django storage, served by one view.

`Venue.photos` holds the storage names of its photos, in the order they are shown (`venues/<uuid4 hex>.<ext>`, the
name `image_clean` generated: nothing of the uploader's). The one way out is `views.venue_photo`, which serves a
name only when the venue lists it, as the image type its bytes are (checked again), never as a page. Venues are
public, so are their photos; an inactive venue's only to those who manage it.
"""

from __future__ import annotations

import logging
import re
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.core.errors import ShequError
from shequ.core.uploads import CleanImage, image_check, image_clean

from .models import Venue

logger = logging.getLogger(__name__)

MAX_PHOTOS = 6
FOLDER = "venues"
_STORED = re.compile(r"^venues/[0-9a-f]{32}\.(jpg|png|webp)$")


def photo_clean(upload: IO[bytes] | bytes) -> CleanImage:
    """An uploaded photo checked and re-encoded (ShequError `invalid_photo`, 400, if it is not a safe image)."""
    return image_clean(upload, code="invalid_photo", field_name="photos")


def too_many() -> ShequError:
    return ShequError(
        _("A venue has at most %(n)d photos.") % {"n": MAX_PHOTOS},
        code="invalid_photo",
        fields={"photos": "too_many"},
    )


def photo_store(image: CleanImage) -> str:
    """Save a cleaned photo under its random name; the storage name, as `Venue.photos` keeps it."""
    return default_storage.save(f"{FOLDER}/{image.name}", ContentFile(image.content))


def photo_delete(name: str) -> None:
    """Remove a photo's file (after the venue no longer lists it). A file already gone is no error."""
    if _STORED.match(name):
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("venue photo %r could not be deleted", name)


def photo_basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def photo_url(venue: Venue, name: str) -> str:
    return reverse("venues:photo", args=[venue.pk, photo_basename(name)])


def photo_urls(venue: Venue) -> list[str]:
    return [photo_url(venue, name) for name in venue.photos or []]


def photo_read(venue: Venue, basename: str) -> tuple[bytes, str]:
    """The bytes and image type of a photo the venue lists, checked again by their content; 404 otherwise."""
    name = next((n for n in venue.photos or [] if photo_basename(n) == basename), None)
    if name is None or not _STORED.match(name):
        raise Http404
    try:
        with default_storage.open(name, "rb") as f:
            content = f.read()
    except OSError:
        logger.warning("venue %s: its photo %r is missing", venue.pk, name)
        raise Http404 from None
    try:
        return content, image_check(content)
    except ShequError:
        logger.warning("venue %s: the stored photo %r is no image; not served", venue.pk, name)
        raise Http404 from None
