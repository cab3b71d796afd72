"""Sets the audit context (IP, channel, request ID) for the duration of each request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .choices import AuditChannel
from .context import audit_context, normalize_ip

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming ID is echoed in a response header and stored in the audit trail, so only plain tokens pass.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_API_PREFIXES = ("/api/", "/open311/")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get(REQUEST_ID_HEADER, "")
        if not _SAFE_REQUEST_ID.match(request_id):
            request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        channel = AuditChannel.API if request.path.startswith(_API_PREFIXES) else AuditChannel.WEB
        with audit_context(ip=client_ip(request), channel=channel, request_id=request_id):
            response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when the setting trusts it.

    We take the right-most X-Forwarded-For address: it is the one our own proxy (nginx in front of gunicorn,
    DESIGN.md §6) appended; everything left of it was sent by the client and can be forged. Behind several
    proxies, have the outer ones rewrite the header (nginx real_ip) rather than trusting more of it here.
    """
    if getattr(settings, "SHEQU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidate = normalize_ip(forwarded.split(",")[-1])
            if candidate:
                return candidate
    return normalize_ip(request.META.get("REMOTE_ADDR", ""))
