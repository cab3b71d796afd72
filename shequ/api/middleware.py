"""The machine interfaces' boundary: everything under /api/ and /open311/ answers in its own error format.

Django answers a wrong Host, an oversize body, an unknown path, a method a path does not take and an uncaught
exception with HTML pages (or, under DEBUG, its technical pages). A program reading /api/v1 expects the error
shape of DESIGN.md §7 for every answer, and an Open311 client the GeoReport error list in the format its URL asks
for. This middleware, placed before CommonMiddleware (which refuses a wrong Host), does three things for those
paths (at about 2 µs for an ordinary request):

* it refuses, before anything else reads the request, a body larger than the cap (413:
  `DATA_UPLOAD_MAX_MEMORY_SIZE`, or `SHEQU_MAX_UPLOAD_BYTES` for multipart uploads, sized for the appeal photos)
  and a NUL character in the path, the query or an Open311 form field (400: PostgreSQL cannot store one, and a
  client error must not become a database error; the API's JSON bodies and forms are checked by its parser,
  shequ.core.api.parser);
* it lets the request through;
* it rewrites an error answer that is not already in the interface's format (Django's 404 for an unknown path,
  ninja's 405, the 400 for a Host outside ALLOWED_HOSTS, a 500 page) into that format, keeping the status and the
  `Allow` header.

HTML pages are left alone: their errors stay pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from shequ.core.errors import error_body

log = logging.getLogger("shequ.api")

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"
NUL = "\x00"

# The code of each status in the error shape, when the answer did not come with one of its own.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    500: "server_error",
    503: "service_unavailable",
}


def _messages() -> dict[int, str]:
    return {
        400: _("The request is not valid."),
        401: _("Authentication required."),
        403: _("You may not do this."),
        404: _("There is nothing at this address."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        500: _("Something went wrong on our side; it has been logged."),
        503: _("The service is not available; try again."),
    }


def body_cap(request: HttpRequest) -> int:
    """The largest body this request may carry: uploads (multipart) get the upload cap, the rest Django's."""
    if request.content_type == "multipart/form-data":
        return int(settings.SHEQU_MAX_UPLOAD_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) or int(settings.SHEQU_MAX_UPLOAD_BYTES)


class BoundaryError(Exception):
    """A request refused at the boundary: status, code, message and per-field messages."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


def _check_nul(name: str, value: str, fields: dict[str, str]) -> None:
    if NUL in value:
        fields[name] = _("must not contain a NUL character")


def check_request(request: HttpRequest, *, forms: bool) -> None:
    """Raise BoundaryError for what must be refused before any code reads the request.

    With `forms`, a POSTed form's fields too (Open311). The API's forms are read by its parser
    (shequ.core.api.parser), after authentication: an anonymous upload to a protected endpoint is refused unread.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BoundaryError(400, "bad_request", _("The Content-Length header is not a number.")) from None
    cap = body_cap(request)
    if length > cap:
        raise BoundaryError(
            413,
            "too_large",
            _("The request body is too large: at most %(mb).1f MB here.") % {"mb": cap / (1024 * 1024)},
            {"body": str(cap)},
        )
    fields: dict[str, str] = {}
    _check_nul("path", request.path, fields)
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or NUL in query:  # parsing an ordinary query here would cost more than the check
        for key, values in request.GET.lists():
            _check_nul(key, key, fields)
            for value in values:
                _check_nul(key, value, fields)
    if (
        forms
        and request.method == "POST"
        and request.content_type
        in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
    ):
        try:
            form = request.POST
        except RequestDataTooBig:
            raise BoundaryError(413, "too_large", _("The request body is too large.")) from None
        except SuspiciousOperation as exc:  # too many fields, a broken multipart body
            raise BoundaryError(400, "bad_request", str(exc) or _("The request is not valid.")) from None
        for key, values in form.lists():
            _check_nul(key, key, fields)
            for value in values:
                _check_nul(key, value, fields)
    if fields:
        raise BoundaryError(400, "invalid", _("Some parameters are not valid."), fields)


def _bad_host(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return True
    return False


def _is_api_answer(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _is_open311_answer(response: HttpResponse) -> bool:
    kind = response.get("Content-Type", "")
    return kind.startswith("application/json") or kind.startswith("text/xml")


class ApiBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(API_PREFIX):
            render, answered, forms = _api_error, _is_api_answer, False
        elif path.startswith(OPEN311_PREFIX):
            render, answered, forms = _open311_error, _is_open311_answer, True
        else:
            return self.get_response(request)
        try:
            check_request(request, forms=forms)
        except BoundaryError as exc:
            log.info("refused at the boundary: %s %s: %s", request.method, path, exc.code)
            return render(request, exc.status, exc.code, exc.message, exc.fields)
        response = self.get_response(request)
        if response.status_code < 400 or answered(response):
            return response
        status = response.status_code
        code, message = CODES.get(status, f"http_{status}"), _messages().get(status, response.reason_phrase)
        if status == 400 and _bad_host(request):
            # CommonMiddleware refused the Host (DisallowedHost); asked again only here, on the error path.
            code, message = "bad_host", _("The Host header names a host this server does not serve.")
        rewritten = render(request, status, code, message, {})
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                rewritten[header] = response[header]
        return rewritten


def _api_error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str]
) -> HttpResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


def _open311_error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str]
) -> HttpResponse:
    from shequ.open311.serializers import Open311Error, render_errors

    descriptions = [f"{name}: {text}" for name, text in fields.items()] or [message]
    fmt = "json" if request.path_info.rsplit(".", 1)[-1].lower() == "json" else "xml"
    return render_errors(fmt, Open311Error(status, *descriptions))
