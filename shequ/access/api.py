"""API authentication: a browser session (with CSRF) or a bearer token for programs."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from shequ.access.scoping import user_roles
from shequ.accounts.middleware import is_staff_session
from shequ.accounts.roles import Role
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

    Staff rights need a staff session (password + TOTP). A session from the residents' sign-in whose user holds a
    staff grant (approved while he was signed in) is not signed in here: his grants must not open the
    API without the second factor (defence in depth beside accounts.middleware.StaffSignInMiddleware). A
    resident's own session keeps his own endpoints. Bearer tokens are a separate credential and unaffected.
    """

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user is None or is_staff_session(request):
            return user
        if user_roles(user) - {Role.RESIDENT}:
            # Anonymous for the rest of the request too: an endpoint open to anonymous callers (intake) must not
            # read the session's user from request.user.
            request.user = AnonymousUser()
            return None
        return user

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
