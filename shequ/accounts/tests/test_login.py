import re
import time

import pyotp
import pytest
from django.test import Client

from shequ.accounts.middleware import LAST_SEEN
from shequ.accounts.models import OutboxMessage
from shequ.audit.models import AuditEntry
from shequ.demo.cast import DEMO_PASSWORD, demo_totp_secret

pytestmark = pytest.mark.django_db


def _password_step(client, identifier, password=DEMO_PASSWORD, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"identifier": identifier, "password": password}, REMOTE_ADDR=ip)


def test_staff_sign_in_needs_password_then_totp(client, cast):
    r = _password_step(client, "lina")
    assert r.status_code == 302 and r["Location"].endswith("/accounts/login/verify/")
    assert client.get("/console/").status_code == 302  # not signed in yet: one factor is not enough
    code = pyotp.TOTP(demo_totp_secret("lina")).now()
    r = client.post("/accounts/login/verify/", {"code": code})
    assert r.status_code == 302 and r["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.login", actor_username="lina").exists()


def test_staff_can_sign_in_with_the_phone_number(client, cast):
    r = _password_step(client, "13800000002")
    assert r.status_code == 302 and r["Location"].endswith("/verify/")


def test_a_wrong_totp_code_is_refused(client, cast):
    _password_step(client, "lina")
    r = client.post("/accounts/login/verify/", {"code": "000000"})
    assert r.status_code == 200 and "验证码" in r.content.decode()
    assert client.get("/console/").status_code == 302


def test_a_resident_cannot_use_the_staff_sign_in(client, cast):
    r = _password_step(client, "zhangwei")
    assert r.status_code == 200 and "账号或密码错误" in r.content.decode()


def test_repeated_failures_lock_the_account_with_back_off(client, cast):
    for i in range(4):
        assert _password_step(client, "lina", "wrong-password", ip=f"10.0.1.{i}").status_code == 200
    locked = _password_step(client, "lina", "wrong-password", ip="10.0.1.9")
    assert locked.status_code == 429
    # Even the right password is refused while locked, from any address.
    assert _password_step(client, "lina", ip="10.0.2.1").status_code == 429
    from shequ.accounts.models import LoginThrottle

    first = LoginThrottle.objects.get(key=f"user:{cast['lina'].pk}").locked_until
    _password_step(client, "lina", "wrong-password", ip="10.0.2.2")  # refused while locked: not counted
    LoginThrottle.objects.filter(key=f"user:{cast['lina'].pk}").update(locked_until=None)
    _password_step(client, "lina", "wrong-password", ip="10.0.2.3")
    second = LoginThrottle.objects.get(key=f"user:{cast['lina'].pk}").locked_until
    assert second is not None and first is not None
    assert AuditEntry.objects.filter(action="auth.login_locked").exists()


def test_many_failures_from_one_address_lock_the_address(client, cast, settings):
    settings.SHEQU_LOGIN_THROTTLE = {
        **settings.SHEQU_LOGIN_THROTTLE,
        "ip": {"free": 3, "base_seconds": 60, "cap_seconds": 3600},
    }
    for name in ("a1", "a2", "a3"):
        _password_step(client, name, "x", ip="10.9.9.9")
    assert _password_step(client, "lina", ip="10.9.9.9").status_code == 429
    assert _password_step(client, "lina", ip="10.9.9.8").status_code == 302


def test_unknown_accounts_are_throttled_like_known_ones(client, cast):
    for i in range(5):
        r = _password_step(client, "no-such-user", "x", ip=f"10.3.0.{i}")
    assert r.status_code == 429


def test_a_resident_signs_in_with_a_code_from_the_outbox(client, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the message leaves after commit
        r = client.post("/accounts/resident/code/", {"phone": "138 0000 0001"})
    assert r.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.recipient_masked == "138****0001" and message.recipient == "13800000001"
    assert "******" in message.body  # the outbox keeps the message, never the code
    # The demo channel shows the code to the browser that asked for it, as the phone would.
    page = client.get("/accounts/resident/?sent=1").content.decode()
    code = re.search(r"演示短信[^<]*?(\d{6})", page).group(1)
    r = client.post("/accounts/resident/", {"method": "code", "phone": "13800000001", "code": code})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(cast["zhangwei"].pk)


def test_a_code_works_once(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/resident/code/", {"phone": "13800000001"})
    code = sms[0].code
    client.post("/accounts/resident/", {"method": "code", "phone": "13800000001", "code": code})
    other = Client()
    r = other.post("/accounts/resident/", {"method": "code", "phone": "13800000001", "code": code})
    assert r.status_code == 200 and "_auth_user_id" not in other.session


def test_asking_a_code_for_an_unknown_phone_looks_the_same_and_sends_nothing(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/accounts/resident/code/", {"phone": "13999999999"})
    assert r.status_code == 302 and not OutboxMessage.objects.exists()


def test_a_resident_signs_in_with_phone_and_password(client, cast):
    r = client.post(
        "/accounts/resident/", {"method": "password", "phone": "13800000001", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(cast["zhangwei"].pk)


def test_an_idle_staff_session_ends(client, cast):
    from shequ.access.testing import sign_in

    sign_in(client, cast["lina"])
    assert client.get("/console/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 16 * 60
    session.save()
    r = client.get("/console/")
    assert r.status_code == 302 and "expired=1" in r["Location"]
    assert "_auth_user_id" not in client.session


def test_every_page_carries_security_headers_and_a_strict_csp(client):
    r = client.get("/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert r["X-Content-Type-Options"] == "nosniff" and r["X-Frame-Options"] == "DENY"


def test_posts_without_a_csrf_token_are_refused(cast):
    strict = Client(enforce_csrf_checks=True)
    r = strict.post("/accounts/login/", {"identifier": "lina", "password": DEMO_PASSWORD})
    assert r.status_code == 403


def test_the_password_policy_wants_length_and_mixed_characters():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1!", "alllowercaseletters", "12345678901"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Community-2026-ok")
