"""Session protections: staff sessions end after a period of inactivity (等保: 会话超时) and at the latest
SHEQU_STAFF_MAX_SESSION_SECONDS after their sign-in (ASVS 7.3.2), and staff rights need a staff sign-in
(password + TOTP), which alone sets STAFF_SESSION_FLAG."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

STAFF_SESSION_FLAG = "shequ_staff"
LAST_SEEN = "shequ_last_seen"
# When the staff sign-in completed (epoch seconds); set at sign-in, and on first sight for a session from before it
# was kept (such a session gets the full lifetime from then on, once).
SIGNED_IN_AT = "shequ_signed_in_at"


def is_staff_session(request: HttpRequest) -> bool:
    """Was this session signed in through the staff path (password + TOTP)?"""
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(STAFF_SESSION_FLAG))


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(STAFF_SESSION_FLAG):
            now = int(time.time())
            last = session.get(LAST_SEEN, now)
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            idle = now - last > settings.SHEQU_STAFF_IDLE_SECONDS
            if idle or now - signed_in > settings.SHEQU_STAFF_MAX_SESSION_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "session_expired", "message": _("Session expired."), "fields": {}},
                        status=401,
                    )
                query = urlencode({"next": request.path, "expired": "1" if idle else "lifetime"})
                return redirect(f"{settings.LOGIN_URL}?{query}")
            session[LAST_SEEN] = now
        return self.get_response(request)


class StaffSignInMiddleware:
    """End a session signed in without the second factor whose user holds a staff grant now: a resident whose
    staff grant was approved while he was signed in, or a session from before the residents' path refused staff.
    (Django's admin keeps its own sign-in and its own check of is_staff; this looks at grants only.)

    Its pages (the resident portal's selectors are scoped by grants too) would otherwise show him what his grants
    open, without a staff sign-in and without the idle timeout. One indexed query per request of a resident's
    session; anonymous requests and staff sessions cost nothing. require_action and the API's session auth refuse
    such a session as well, on their own (defence in depth)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and not session.get(STAFF_SESSION_FLAG):
            from shequ.audit.services import audit_record

            from .auth import is_staff_user

            user = request.user
            if user.is_authenticated and is_staff_user(user):  # type: ignore[arg-type]
                audit_record(action="auth.session_not_staff", actor=user, object_repr=user.username)
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "code": "staff_sign_in_required",
                            "message": _("Staff sign in with password and authenticator code."),
                            "fields": {},
                        },
                        status=401,
                    )
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A signed-in user whose password an administrator set (a new staff account, a reset: a temporary password,
    User.password_must_change) reaches nothing but the password page until he has chosen his own (issue 21).

    Only sessions: an API token is never issued on a temporary password. The password page, signing out and the
    static files stay open. One attribute read on the user the request loads anyway; anonymous requests cost
    nothing."""

    OPEN = ("/accounts/password/", "/accounts/logout/", "/static/", "/prefs/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and SESSION_KEY in session
            and not request.path.startswith(self.OPEN)
            and getattr(request.user, "password_must_change", False)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "password_change_required",
                        "message": _("Change the temporary password first."),
                        "fields": {},
                    },
                    status=403,
                )
            return redirect(f"/accounts/password/?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
