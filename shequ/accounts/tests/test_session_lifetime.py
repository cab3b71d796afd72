"""A staff session ends at the latest SHEQU_STAFF_MAX_SESSION_SECONDS after its sign-in, however active it was
(ASVS 7.3.2), next to the idle timeout."""

import time

import pyotp
import pytest

from shequ.access.testing import sign_in
from shequ.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from shequ.demo.cast import DEMO_PASSWORD, demo_totp_secret

pytestmark = pytest.mark.django_db


def _age(client, seconds):
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - seconds
    session[LAST_SEEN] = now  # active a moment ago: only the absolute lifetime can end it
    session.save()


def test_an_active_staff_session_ends_twelve_hours_after_its_sign_in(client, cast, settings):
    assert settings.SHEQU_STAFF_MAX_SESSION_SECONDS == 12 * 3600
    sign_in(client, cast["lina"])
    _age(client, 12 * 3600 - 60)
    assert client.get("/console/").status_code == 200
    _age(client, 12 * 3600 + 1)
    r = client.get("/console/")
    assert (
        r.status_code == 302
        and r["Location"].startswith("/accounts/login/")
        and "expired=lifetime" in r["Location"]
    )
    assert "_auth_user_id" not in client.session
    assert "会话已达到最长时间" in client.get(r["Location"]).content.decode()


def test_the_api_answers_401_when_the_session_is_too_old(client, cast):
    sign_in(client, cast["lina"])
    _age(client, 12 * 3600 + 1)
    r = client.get("/api/v1/appeals")
    assert r.status_code == 401 and r.json()["code"] == "session_expired"


def test_the_staff_sign_in_starts_the_clock(client, cast):
    before = int(time.time())
    client.post("/accounts/login/", {"identifier": "lina", "password": DEMO_PASSWORD})
    client.post("/accounts/login/verify/", {"code": pyotp.TOTP(demo_totp_secret("lina")).now()})
    assert client.session[SIGNED_IN_AT] >= before


def test_the_expiry_redirect_encodes_the_path_it_sends_back_to(client, cast):
    sign_in(client, cast["lina"])
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 16 * 60
    session.save()
    r = client.get("/console/appeals/%26evil%3D1/")
    assert "next=%2Fconsole%2Fappeals%2F%26evil%3D1%2F" in r["Location"] and "expired=1" in r["Location"]
