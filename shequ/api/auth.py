"""API authentication: a browser session (with CSRF) or a bearer token for programs."""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from shequ.accounts.tokens import token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class SessionCookieAuth(SessionAuth):
    """Django's session, with the CSRF check, when the request carries a session cookie.

    A request without one carries no ambient credential a forged cross-site request could ride on, so it is not
    CSRF-checked: it is simply not signed in (the next method, or anonymous intake, or 401). A program posting an
    anonymous appeal therefore needs no CSRF cookie; a browser that is signed in still does.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


# Every protected endpoint accepts either; anonymous requests get 401 in the error shape.
PROTECTED = [BearerTokenAuth(), SessionCookieAuth()]


class _Anonymous:
    """Let anonymous callers through (public intake) while still reading a session or a bearer token."""

    def __call__(self, request: HttpRequest):
        return True


OptionalAuth = [BearerTokenAuth(), SessionCookieAuth(), _Anonymous()]
