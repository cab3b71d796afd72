"""The one way a photo of an appeal leaves the platform: scoped like the appeal, answered as an image only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shequ.core.uploads import image_response

from . import selectors
from .photos import photo_filename, photo_read


@require_GET
def photo_file(request: HttpRequest, pk: int) -> HttpResponse:
    # No login redirect: to a visitor who is not signed in, as to anyone out of scope, a photo does not exist.
    photo = selectors.photo_get_for(user=request.user, pk=pk)
    return image_response(
        content=photo_read(photo), content_type=photo.content_type, name=photo_filename(photo)
    )
