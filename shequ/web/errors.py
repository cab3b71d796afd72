"""Error pages in Chinese, in the site's frame, with a way back (issue 21).

403 and 404 render with the request (the person's language, elder mode, the console link for staff) but
without anything that changes between two renders of the same page: no CSRF token, no current path. So an object
outside the viewer's scope answers byte for byte like a missing one (DESIGN.md §4). The 500 page renders without
the request and touches no database: whatever broke may be either.
"""

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


@requires_csrf_token
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseForbidden(loader.render_to_string("403.html", {"error_page": True}, request))


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("404.html", {"error_page": True}, request))


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(loader.render_to_string("500.html", {"error_page": True}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was open too long or cookies are off: say so in Chinese and offer to start again."""
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", {"error_page": True}, request))
