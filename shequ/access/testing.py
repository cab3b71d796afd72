"""The permission matrix every protected view and endpoint is tested with (DESIGN.md §8).

    class TestResidentDetail(PermissionMatrixMixin):
        def test_permission_matrix(self, client, cast, huafu_resident, yuehai_resident):
            self.assert_permission_matrix(
                client, url=f"/api/v1/residents/{huafu_resident.pk}", in_scope=cast["lina"],
                out_of_scope=cast["wangqiang"], no_role=make_user("nobody"))

Anonymous is refused (401 on the API, a redirect to sign in on pages), a signed-in user without the role is
refused (403) or told "not found" (404), the in-scope user succeeds, and the out-of-scope user gets a 404 that is
byte-for-byte the same as the answer for an object that does not exist.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.test import Client

from shequ.accounts.middleware import LAST_SEEN, STAFF_SESSION_FLAG


def sign_in(client: Client, user) -> Client:
    """A signed-in session as after password + TOTP (the login flow itself is tested separately)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[STAFF_SESSION_FLAG] = True
    session[LAST_SEEN] = int(time.time())
    session.save()
    return client


def _call(client: Client, method: str, url: str, data, multipart: bool = False) -> Any:
    if callable(data):  # a fresh payload per call, e.g. an upload that can be read only once
        data = data()
    if method == "get":
        return client.get(url, data or {})
    if multipart:
        return getattr(client, method)(url, data or {})
    return getattr(client, method)(url, data or {}, content_type="application/json")


class PermissionMatrixMixin:
    def assert_permission_matrix(
        self,
        client: Client,
        *,
        url: str,
        in_scope,
        out_of_scope=None,
        no_role=None,
        method: str = "get",
        data=None,
        ok: Iterable[int] = (200,),
        missing_url: str | None = None,
        page: bool = False,
        multipart: bool = False,
        sign_in_url: str = "/accounts/login/",
    ) -> None:
        """`sign_in_url`: where a page sends anonymous visitors; the resident portal's pages send them to
        "/accounts/resident/" (sign in with a code), the console's to the staff sign-in."""
        ok = tuple(ok)
        client.logout()
        anon = _call(client, method, url, data, multipart)
        if page:
            assert anon.status_code == 302 and anon["Location"].startswith(sign_in_url), (
                url,
                anon.status_code,
                anon.get("Location"),
            )
        else:
            assert anon.status_code == 401, (url, anon.status_code)

        if no_role is not None:
            sign_in(client, no_role)
            r = _call(client, method, url, data, multipart)
            assert r.status_code in (403, 404), ("no role", url, r.status_code)

        sign_in(client, in_scope)
        r = _call(client, method, url, data, multipart)
        assert r.status_code in ok, ("in scope", url, r.status_code, getattr(r, "content", b"")[:300])

        if out_of_scope is not None:
            sign_in(client, out_of_scope)
            r = _call(client, method, url, data, multipart)
            assert r.status_code == 404, ("out of scope", url, r.status_code)
            if missing_url is not None:
                missing = _call(client, method, missing_url, data, multipart)
                assert missing.status_code == 404
                assert missing.content == r.content, "out of scope must look exactly like missing"
        client.logout()
