"""Django's admin behind the staff sign-in: no operator reaches it with a password alone (issue 19)."""

import pyotp
import pytest

from shequ.accounts.auth import totp_setup

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"


@pytest.fixture
def operator(make_user):
    user = make_user("operator1", is_staff=True, is_superuser=True)
    totp_setup(user)
    return user


def test_the_admins_own_login_sends_to_the_staff_sign_in(client, operator):
    r = client.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    # A password posted to the admin's login signs no one in.
    r = client.post("/admin/login/", {"username": "operator1", "password": PASSWORD})
    assert r.status_code == 302 and "_auth_user_id" not in client.session


def test_a_session_without_the_second_factor_does_not_open_the_admin(client, operator):
    client.force_login(operator)  # signed in, as a password-only path would have done
    r = client.get("/admin/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_an_operator_signs_in_with_password_and_totp_and_reaches_the_admin(client, operator):
    r = client.post("/accounts/login/", {"identifier": "operator1", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"].endswith("/verify/")
    operator.refresh_from_db()
    r = client.post("/accounts/login/verify/", {"code": pyotp.TOTP(operator.totp_secret).now()})
    assert r.status_code == 302
    assert client.get("/admin/").status_code == 200
