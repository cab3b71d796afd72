"""Staff sign in only through the staff path (password + TOTP): the residents' path refuses them, and a session
signed in without the second factor gets no staff rights anywhere (issue 19)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.audit.models import AuditEntry
from shequ.demo.cast import DEMO_PASSWORD
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

ZHANGWEI, LINA = "13800000001", "13800000002"


def _password(client, phone, password=DEMO_PASSWORD, ip="10.0.0.1"):
    return client.post(
        "/accounts/resident/", {"method": "password", "phone": phone, "password": password}, REMOTE_ADDR=ip
    )


def _alert(response) -> str:
    found = re.search(r'class="alert alert-danger" role="alert">(.*?)</div>', response.content.decode())
    return found.group(1) if found else ""


def _make_staff(user: User) -> None:
    """A community worker's grant approved while the person is signed in as a resident."""
    from shequ.access.services import grant_bootstrap

    street = Area.objects.get(parent__code="440304", name="华富街道")
    grant_bootstrap(user=user, role=Role.COMMUNITY_WORKER, area=street, reason="test")


def _without(settings, middleware: str) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith(middleware)]


def test_staff_cannot_sign_in_with_a_password_at_the_residents_page(client, cast):
    r = _password(client, LINA)
    assert r.status_code == 200 and "账号或密码错误" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.staff_on_resident_path", actor_username="lina").exists()
    assert not AuditEntry.objects.filter(action="auth.login", actor_username="lina").exists()


def test_the_refusal_reads_exactly_like_a_wrong_password(cast):
    staff = _password(Client(), LINA)
    wrong = _password(Client(), ZHANGWEI, "Wrong-password-1")
    assert staff.status_code == wrong.status_code == 200
    assert _alert(staff) and _alert(staff) == _alert(wrong)


def test_no_code_is_sent_to_a_staff_phone_and_the_answer_is_the_same(
    client, cast, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff = client.post("/accounts/resident/code/", {"phone": LINA}, REMOTE_ADDR="10.0.0.2")
        resident = Client().post("/accounts/resident/code/", {"phone": ZHANGWEI}, REMOTE_ADDR="10.0.0.3")
    assert (staff.status_code, staff["Location"]) == (resident.status_code, resident["Location"])
    assert [m.recipient for m in sms] == [ZHANGWEI]


def test_a_code_sent_before_a_staff_grant_does_not_sign_the_staff_member_in(
    client, cast, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/resident/code/", {"phone": ZHANGWEI})
    _make_staff(cast["zhangwei"])
    r = client.post("/accounts/resident/", {"method": "code", "phone": ZHANGWEI, "code": sms[0].code})
    assert r.status_code == 200 and "验证码错误或已过期" in r.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.staff_on_resident_path", actor_username="zhangwei").exists()


def test_a_resident_who_becomes_staff_while_signed_in_gets_no_staff_rights(client, cast):
    assert _password(client, ZHANGWEI).status_code == 302
    _make_staff(cast["zhangwei"])
    r = client.get("/console/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/residents").status_code == 401
    assert client.get("/me/appeals/").status_code == 302  # the session ended: sign in again, as staff
    assert AuditEntry.objects.filter(action="auth.session_not_staff", actor_username="zhangwei").exists()


def test_require_action_alone_refuses_a_session_without_the_second_factor(client, cast, settings):
    _without(settings, "StaffSignInMiddleware")
    client.force_login(cast["lina"])  # signed in, but not through password + TOTP
    r = client.get("/console/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert client.get("/console/residents/").status_code == 302


def test_the_api_alone_refuses_a_staff_session_without_the_second_factor(client, cast, settings):
    _without(settings, "StaffSignInMiddleware")
    client.force_login(cast["lina"])
    assert client.get("/api/v1/residents").status_code == 401
    assert client.get("/api/v1/appeals").status_code == 401


def test_a_resident_keeps_the_portal_and_his_own_api(client, cast):
    assert _password(client, ZHANGWEI).status_code == 302
    assert client.get("/me/appeals/").status_code == 200
    assert client.get("/api/v1/appeals", {"mine": "true"}).status_code == 200
    assert client.get("/console/").status_code == 403  # no staff role at all: refused as before


def test_a_staff_bearer_token_works_as_before(client, cast):
    out = StringIO()
    call_command("issue_token", "lina", stdout=out, stderr=StringIO())
    r = client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert r.status_code == 200


def test_an_operator_of_djangos_admin_cannot_sign_in_at_the_residents_page(client, cast, make_user):
    make_user("operator", phone="13900000300", is_staff=True)
    r = _password(client, "13900000300", "Correct-horse-9")
    assert r.status_code == 200 and "账号或密码错误" in r.content.decode()
    assert "_auth_user_id" not in client.session
