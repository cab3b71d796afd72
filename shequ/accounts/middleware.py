"""Session protections: staff sessions end after a period of inactivity (等保: 会话超时)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

STAFF_SESSION_FLAG = "shequ_staff"
LAST_SEEN = "shequ_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(STAFF_SESSION_FLAG):
            now = int(time.time())
            last = session.get(LAST_SEEN, now)
            if now - last > settings.SHEQU_STAFF_IDLE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "session_expired", "message": _("Session expired."), "fields": {}},
                        status=401,
                    )
                return redirect(f"{settings.LOGIN_URL}?next={request.path}&expired=1")
            session[LAST_SEEN] = now
        return self.get_response(request)
