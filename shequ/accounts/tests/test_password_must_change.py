"""A temporary password handed over by an administrator is changed at the next sign-in (issue 21): until then the
account reaches nothing but the password page; the change clears it, is audited, and leads on to where he went."""

import pytest

from shequ.access.services import grant_decide, staff_create, staff_reset_password
from shequ.access.testing import sign_in
from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

NEW = "Mein-eigenes-9x"


@pytest.fixture
def newcomer(cast):
    huafu = Area.objects.get(parent__code="440304", name="华富街道")
    user, password = staff_create(
        actor=cast["zhouyu"], username="zhaolei", display_name="赵磊", role=Role.GRID_WORKER, area=huafu
    )
    grant_decide(actor=cast["wujun"], grant=user.grants.get(), approve=True)
    user.refresh_from_db()
    return user, password


def test_a_new_account_must_change_its_temporary_password_before_anything_else(client, newcomer):
    user, password = newcomer
    assert user.password_must_change
    sign_in(client, user)
    r = client.get("/console/")
    assert r.status_code == 302 and r.url == "/accounts/password/?next=%2Fconsole%2F"
    page = client.get(r.url).content.decode()
    assert "您的密码由管理员设置" in page
    # The API answers in its own format.
    api = client.get("/api/v1/appeals")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"

    r = client.post(
        "/accounts/password/",
        {
            "current_password": password,
            "new_password": NEW,
            "new_password_again": NEW,
            "next": "/console/",
        },
    )
    assert r.status_code == 302 and r.url == "/console/"
    user.refresh_from_db()
    assert not user.password_must_change and user.check_password(NEW)
    assert client.get("/console/").status_code == 200
    entry = AuditEntry.objects.filter(action="auth.password_change").latest("seq")
    assert entry.changes == {"temporary_password": {"before": True, "after": False}}


def test_a_reset_password_must_be_changed_too(client, cast, newcomer):
    user, _password = newcomer
    user.password_must_change = False
    user.save(update_fields=["password_must_change"])
    staff_reset_password(actor=cast["zhouyu"], user=user)
    user = User.objects.get(pk=user.pk)
    assert user.password_must_change
    sign_in(client, user)
    assert client.get("/console/appeals/").url.startswith("/accounts/password/")


def test_an_outside_next_is_not_followed(client, newcomer):
    user, password = newcomer
    sign_in(client, user)
    r = client.post(
        "/accounts/password/",
        {
            "current_password": password,
            "new_password": NEW,
            "new_password_again": NEW,
            "next": "https://evil.example/",
        },
    )
    assert r.status_code == 302 and r.url == "/console/"


def test_the_cast_signs_in_as_before(client, cast):
    sign_in(client, cast["sunli"])
    assert client.get("/console/").status_code == 200
