"""A resident registers with a phone and a text-message code (issue 21): throttled like signing in, audited,
idempotent, and a phone that already has an account gets the same answers (the code then signs in to it)."""

import pytest
from django.db import connection
from django.test import Client

from shequ.accounts.models import User
from shequ.audit.models import AuditEntry
from shequ.core.idnumbers import make_id_number

pytestmark = pytest.mark.django_db

NEW = "13912340001"
ZHANGWEI = "13800000001"


def _ask(client, phone, ip="10.1.0.1"):
    return client.post("/accounts/resident/register/code/", {"phone": phone}, REMOTE_ADDR=ip)


def _code(sms, phone) -> str:
    return [m.secret for m in sms if m.recipient == phone][-1]


def _register(client, code, ip="10.1.0.1", **more):
    return client.post("/accounts/resident/register/", {"code": code, **more}, REMOTE_ADDR=ip)


def test_a_new_phone_registers_and_is_signed_in(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, NEW).status_code == 302
    page = client.get("/accounts/resident/register/?sent=1").content.decode()
    assert "139****0001" in page and NEW not in page
    number = make_id_number("440304", __import__("datetime").date(1960, 5, 1), 12, "female")
    r = _register(client, _code(sms, NEW), real_name="王芳", id_number=number)
    assert r.status_code == 302 and r["Location"] == "/"
    user = User.objects.get(phone_hash=User.objects.get(pk=client.session["_auth_user_id"]).phone_hash)
    assert user.phone == NEW and user.real_name == "王芳" and user.id_number == number
    assert not user.has_usable_password()
    # Encrypted at rest: the stored columns hold neither the ID number nor the name.
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, real_name FROM accounts_user WHERE id = %s", [user.pk])
        stored = cur.fetchone()
    assert number not in stored[0] and "王芳" not in stored[1] and user.id_number_hash
    entry = AuditEntry.objects.get(action="account.register")
    assert number not in str(entry.changes) and "王芳" not in str(entry.changes)
    assert "您已登录" in client.get("/").content.decode()


def test_real_name_and_id_number_are_optional(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, NEW)
    assert _register(client, _code(sms, NEW)).status_code == 302
    assert User.objects.filter(phone_hash=User.objects.get(username__startswith="r").phone_hash).count() == 1


def test_a_wrong_id_number_is_refused_without_using_up_the_code(
    client, cast, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, NEW)
    r = _register(client, _code(sms, NEW), id_number="440304196005011234")
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    assert _register(client, _code(sms, NEW)).status_code == 302


def test_a_registered_phone_gets_the_same_answers_and_the_code_signs_in(
    client, cast, sms, django_capture_on_commit_callbacks
):
    other = Client()
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(client, ZHANGWEI)
        unknown = _ask(other, NEW)
    assert known.status_code == unknown.status_code == 302
    texts = [m.text.replace(m.secret, "") for m in sms]
    assert texts[0] == texts[1]  # one wording for both
    known_page = client.get("/accounts/resident/register/?sent=1").content.decode()
    unknown_page = other.get("/accounts/resident/register/?sent=1").content.decode()
    assert known_page.replace("138****0001", "X").count("<") == unknown_page.replace(
        "139****0001", "X"
    ).count("<")
    users = User.objects.count()
    r = _register(client, _code(sms, ZHANGWEI), real_name="冒名", id_number="")
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(cast["zhangwei"].pk)
    assert User.objects.count() == users
    cast["zhangwei"].refresh_from_db()
    assert cast["zhangwei"].real_name == ""  # a code alone changes nothing of the account


def test_pressing_register_twice_makes_one_account(client, cast, sms, django_capture_on_commit_callbacks):
    from shequ.accounts.registration import account_register

    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, NEW)
    code = _code(sms, NEW)
    # Two presses that both reach the server: the second ends where the first did.
    first = account_register(phone=NEW, code=code, ip="10.1.0.1")
    second = account_register(phone=NEW, code=code, ip="10.1.0.1")
    assert first.ok and first.created and second.ok and not second.created and second.user == first.user
    # Through the page: the signed-in session no longer holds the registration, a reload creates nothing.
    assert _register(client, code).status_code == 302
    assert _register(client, code).status_code == 200
    assert User.objects.filter(username__startswith="r").count() == 1


def test_wrong_codes_are_throttled_like_signing_in(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, NEW)
    answers = [_register(client, "000000").status_code for _ in range(6)]
    assert answers[:5] == [200] * 5
    r = _register(client, _code(sms, NEW))
    assert r.status_code == 429 and "秒后" in r.content.decode()
    assert not User.objects.filter(username__startswith="r").exists()
    assert AuditEntry.objects.filter(action="account.register_failed").count() >= 5


def test_sending_is_limited_per_phone(client, cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, NEW).status_code == 302
        assert _ask(Client(), NEW, ip="10.1.0.2").status_code == 429
    assert len(sms) == 1


def test_a_staff_phone_gets_the_same_answer_and_no_code(
    client, cast, sms, django_capture_on_commit_callbacks
):
    staff_phone = cast["lina"].phone
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(client, staff_phone).status_code == 302
    assert not sms
    assert AuditEntry.objects.filter(action="auth.staff_on_resident_path").exists()


def test_the_sign_in_page_links_to_registration(client):
    page = client.get("/accounts/resident/").content.decode()
    assert "/accounts/resident/register/" in page and "注册" in page
