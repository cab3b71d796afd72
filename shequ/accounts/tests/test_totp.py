"""The staff's second factor: its own failure counter, and each code good for one sign-in (issue 19)."""

import time

import pyotp
import pytest
from django.test import Client

from shequ.demo.cast import DEMO_PASSWORD, demo_totp_secret

pytestmark = pytest.mark.django_db


def _password_step(client, identifier="lina", ip="10.0.0.1"):
    r = client.post("/accounts/login/", {"identifier": identifier, "password": DEMO_PASSWORD}, REMOTE_ADDR=ip)
    assert r.status_code == 302 and r["Location"].endswith("/verify/")


def _totp_step(client, code, ip="10.0.0.1"):
    return client.post("/accounts/login/verify/", {"code": code}, REMOTE_ADDR=ip)


def _wrong(code: str) -> str:
    return f"{(int(code) + 500000) % 1000000:06d}"


def test_redoing_the_password_step_does_not_reset_the_totp_counter(client, cast):
    good = pyotp.TOTP(demo_totp_secret("lina")).now()
    for i in range(6):
        _password_step(client, ip=f"10.1.0.{i}")
        last = _totp_step(client, _wrong(good), ip=f"10.1.0.{i}")
    assert "秒后重试" in last.content.decode()
    # Locked: even the right code is refused now, whatever the password step says.
    _password_step(client, ip="10.1.1.1")
    r = _totp_step(client, pyotp.TOTP(demo_totp_secret("lina")).now(), ip="10.1.1.1")
    assert r.status_code != 302 and "_auth_user_id" not in client.session


def test_a_good_second_factor_clears_the_totp_counter(client, cast):
    from shequ.accounts.models import LoginThrottle

    _password_step(client)
    _totp_step(client, _wrong(pyotp.TOTP(demo_totp_secret("lina")).now()))
    assert LoginThrottle.objects.filter(key__endswith=f":{cast['lina'].pk}").exists()
    r = _totp_step(client, pyotp.TOTP(demo_totp_secret("lina")).now())
    assert r.status_code == 302
    assert not LoginThrottle.objects.filter(key=f"totp:{cast['lina'].pk}").exists()


def test_a_totp_code_completes_only_one_sign_in(cast):
    first, second = Client(), Client()
    _password_step(first)
    _password_step(second, ip="10.0.0.2")
    code = pyotp.TOTP(demo_totp_secret("lina")).now()
    assert _totp_step(first, code).status_code == 302
    r = _totp_step(second, code, ip="10.0.0.2")
    assert r.status_code == 200 and "验证码错误或已过期" in r.content.decode()
    assert "_auth_user_id" not in second.session


def test_a_code_older_than_the_last_accepted_one_is_refused(cast):
    totp = pyotp.TOTP(demo_totp_secret("lina"))
    first, second = Client(), Client()
    _password_step(first)
    _password_step(second)
    assert _totp_step(first, totp.now()).status_code == 302
    previous = totp.at(int(time.time()) - totp.interval)  # still inside the valid window, but older
    assert _totp_step(second, previous).status_code == 200
