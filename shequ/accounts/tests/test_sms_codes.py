"""Text-message sign-in codes: never shown in pages or logs (only the demo channel shows one to the browser that
asked for it), and sending is rate-limited by its own counters, not by the failed-sign-in ones (issue 19)."""

import logging
import re

import pytest
from django.test import Client

from shequ.access.testing import sign_in
from shequ.accounts.channels import OutboxChannel
from shequ.accounts.models import LoginThrottle, OutboxMessage

pytestmark = pytest.mark.django_db

ZHANGWEI = "13800000001"


def _ask(client, phone=ZHANGWEI, ip="10.0.0.1"):
    return client.post("/accounts/resident/code/", {"phone": phone}, REMOTE_ADDR=ip)


def _demo_code(client) -> str:
    page = client.get("/accounts/resident/?sent=1").content.decode()
    found = re.search(r"演示短信[^<]*?(\d{6})", page)
    return found.group(1) if found else ""


# --- codes and secrets never shown ----------------------------------------------------------------------------
def test_the_outbox_keeps_a_sign_in_message_with_the_code_hidden(
    client, cast, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client).status_code == 302
    code = _demo_code(client)
    assert code
    body = OutboxMessage.objects.get().body
    assert "******" in body and code not in body
    assert code not in caplog.text
    admin = sign_in(Client(), cast["zhouyu"])
    outbox = admin.get("/console/outbox/").content.decode()
    assert "******" in outbox and code not in outbox and "演示通道" in outbox
    r = client.post("/accounts/resident/", {"method": "code", "code": code})
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(cast["zhangwei"].pk)


def test_the_demo_code_shows_only_in_the_browser_session_that_asked(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    assert _demo_code(client)
    other = Client()
    assert "演示短信" not in other.get("/accounts/resident/?sent=1").content.decode()
    assert _demo_code(other) == ""


def test_an_unknown_phone_gets_a_demo_answer_that_looks_the_same(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "13999999999")
    decoy = _demo_code(client)
    assert decoy and not OutboxMessage.objects.exists()
    r = client.post("/accounts/resident/", {"method": "code", "code": decoy})
    assert r.status_code == 200 and "_auth_user_id" not in client.session


def test_a_gateway_gets_the_code_apart_from_the_body_and_no_page_shows_it(
    client, cast, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    (message,) = sms
    assert message.secret and message.secret in message.text and "{secret}" not in message.text
    assert "演示短信" not in client.get("/accounts/resident/?sent=1").content.decode()
    assert not OutboxMessage.objects.exists()


def test_the_outbox_channel_stores_the_body_without_its_secret(db):
    OutboxChannel().send(
        recipient=ZHANGWEI, body="验证码 {secret}，5 分钟内有效。", purpose="login", secret="123456"
    )
    # A careless caller who put the secret into the body as well: still hidden.
    OutboxChannel().send(recipient=ZHANGWEI, body="验证码 654321", purpose="login", secret="654321")
    bodies = set(OutboxMessage.objects.values_list("body", flat=True))
    assert bodies == {"验证码 ******，5 分钟内有效。", "验证码 ******"}


def test_a_demo_channel_is_refused_where_it_is_not_allowed(settings):
    from django.core.exceptions import ImproperlyConfigured

    from shequ.accounts.channels import sms_channel

    settings.SHEQU_SMS_DEMO_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        sms_channel()


# --- the sending throttle ----------------------------------------------------------------------------------------
def test_many_residents_behind_one_address_each_get_a_code(
    client, cast, sms, make_user, django_capture_on_commit_callbacks
):
    phones = [f"139000001{i:02d}" for i in range(40)]
    for i, phone in enumerate(phones):
        make_user(f"nat{i:02d}", phone=phone)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(Client(), phone, ip="10.8.0.1").status_code for phone in phones]
    assert answers == [302] * 40
    assert sorted(m.recipient for m in sms) == phones


def test_sending_codes_counts_as_no_failed_sign_in(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, ZHANGWEI, ip="10.8.0.2")
        _ask(client, "13800000010", ip="10.8.0.2")
    assert not LoginThrottle.objects.filter(key__startswith="ip:").exists()


def test_one_phone_gets_at_most_one_code_a_minute(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _ask(client, ip="10.8.1.1")
        again = _ask(Client(), ip="10.8.1.2")
    assert first.status_code == 302 and again.status_code == 429
    assert "秒后" in again.content.decode()
    assert len(sms) == 1


def test_one_phone_gets_at_most_ten_codes_a_day(
    client, cast, sms, settings, django_capture_on_commit_callbacks
):
    settings.SHEQU_SMS_SEND_LIMITS = {**settings.SHEQU_SMS_SEND_LIMITS, "phone": [(10, 86400)]}
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(Client(), ip=f"10.8.2.{i}").status_code for i in range(12)]
    assert answers == [302] * 10 + [429] * 2
    assert len(sms) == 10


def test_a_flooded_unknown_phone_answers_like_a_known_one(cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = [_ask(Client(), ZHANGWEI, ip="10.8.3.1").status_code for _ in range(2)]
        unknown = [_ask(Client(), "13999999999", ip="10.8.3.2").status_code for _ in range(2)]
    assert known == unknown == [302, 429]


def test_one_address_cannot_ask_without_limit(cast, sms, settings, django_capture_on_commit_callbacks):
    settings.SHEQU_SMS_SEND_LIMITS = {**settings.SHEQU_SMS_SEND_LIMITS, "ip": [(3, 3600)]}
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_ask(Client(), f"1390000020{i}", ip="10.8.4.1").status_code for i in range(4)]
    assert answers == [302, 302, 302, 429]


def test_a_code_sign_in_clears_the_phones_counters(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    r = client.post("/accounts/resident/", {"method": "code", "phone": ZHANGWEI, "code": sms[0].code})
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(Client()).status_code == 302  # within the minute, but the last code was used
    assert len(sms) == 2
