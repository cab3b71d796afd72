"""API authentication: a browser session (with CSRF) or a bearer token for programs."""

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


# Every protected endpoint accepts either; anonymous requests get 401 in the error shape.
PROTECTED = [BearerTokenAuth(), SessionAuth()]


class _Anonymous:
    """Let anonymous callers through (public intake) while still reading a session or a bearer token."""

    def __call__(self, request: HttpRequest):
        return True


OptionalAuth = [BearerTokenAuth(), SessionAuth(), _Anonymous()]
