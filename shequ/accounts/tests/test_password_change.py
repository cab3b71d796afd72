"""Changing one's password (ASVS 6.2.2/6.2.3, 7.4.3) and the words barred from passwords (6.1.2/6.2.11)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.accounts.passwords import ContextWordValidator
from shequ.audit.models import AuditEntry
from shequ.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Lantern-river-88"


def _change(client, current=DEMO_PASSWORD, new=NEW, again=None):
    return client.post(
        "/accounts/password/",
        {
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


class TestPasswordChangePage(PermissionMatrixMixin):
    def test_the_page_is_for_anyone_signed_in(self, client, cast):
        self.assert_permission_matrix(client, url="/accounts/password/", in_scope=cast["zhangwei"], page=True)
        self.assert_permission_matrix(client, url="/accounts/password/", in_scope=cast["lina"], page=True)

    def test_posting_needs_a_sign_in(self, client, cast):
        form = {"current_password": "wrong", "new_password": NEW, "new_password_again": NEW}
        self.assert_permission_matrix(
            client,
            url="/accounts/password/",
            method="post",
            data=form,
            in_scope=cast["zhangwei"],
            page=True,
            multipart=True,
        )


def test_a_resident_changes_his_password_with_the_current_one_and_the_change_is_audited(client, cast):
    client.force_login(cast["zhangwei"])
    key_before = client.session.session_key
    r = _change(client)
    assert r.status_code == 302 and r["Location"] == "/"
    user = User.objects.get(pk=cast["zhangwei"].pk)
    assert user.check_password(NEW) and not user.check_password(DEMO_PASSWORD)
    assert user.password_changed_at is not None
    assert AuditEntry.objects.filter(action="auth.password_change", actor_username="zhangwei").exists()
    # Still signed in here, under a new session key.
    assert client.session.session_key != key_before
    assert client.get("/me/appeals/").status_code == 200


def test_a_staff_member_changes_his_password_and_stays_in_the_console(client, cast):
    sign_in(client, cast["lina"])
    r = _change(client)
    assert r.status_code == 302 and r["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_changing_the_password_ends_every_other_session_of_the_user(client, cast):
    other_browser, other_phone_api = Client(), Client()
    sign_in(other_browser, cast["lina"])
    sign_in(other_phone_api, cast["lina"])
    bystander = sign_in(Client(), cast["wangqiang"])
    sign_in(client, cast["lina"])
    assert _change(client).status_code == 302
    r = other_browser.get("/console/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in other_browser.session
    assert other_phone_api.get("/api/v1/appeals").status_code == 401
    assert client.get("/console/").status_code == 200
    assert bystander.get("/console/").status_code == 200  # another user's sessions are untouched


def test_a_wrong_current_password_changes_nothing_and_is_audited(client, cast):
    client.force_login(cast["zhangwei"])
    r = _change(client, current="not-my-password")
    assert r.status_code == 200 and "当前密码不正确" in r.content.decode()
    assert User.objects.get(pk=cast["zhangwei"].pk).check_password(DEMO_PASSWORD)
    assert AuditEntry.objects.filter(action="auth.password_change_failed").exists()
    assert not AuditEntry.objects.filter(action="auth.password_change").exists()


def test_wrong_current_passwords_count_on_the_sign_in_lockout(client, cast):
    client.force_login(cast["zhangwei"])
    for _ in range(5):
        _change(client, current="not-my-password")
    # Locked now: even the right current password is refused, and the sign-in page is locked too.
    assert "失败次数过多" in _change(client).content.decode()
    assert User.objects.get(pk=cast["zhangwei"].pk).check_password(DEMO_PASSWORD)
    r = Client().post(
        "/accounts/resident/", {"method": "password", "phone": "13800000001", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200 and "_auth_user_id" not in r.client.session


def test_the_new_password_must_follow_the_policy_and_no_password_comes_back_in_the_page(client, cast):
    client.force_login(cast["zhangwei"])
    for weak in ("short1!", "alllowercaseletters", "Shequ-lantern-88"):
        r = _change(client, new=weak)
        assert r.status_code == 200 and weak not in r.content.decode()
        assert User.objects.get(pk=cast["zhangwei"].pk).check_password(DEMO_PASSWORD)
    r = _change(client, again="Lantern-river-89")
    assert r.status_code == 200 and "两次输入的新密码不一致" in r.content.decode()


def test_the_page_asks_the_current_and_the_new_password_in_password_fields(client, cast):
    client.force_login(cast["zhangwei"])
    page = client.get("/accounts/password/").content.decode()
    assert 'type="password" name="current_password"' in page and 'autocomplete="current-password"' in page
    assert page.count('autocomplete="new-password"') == 2


# --- the context word list (6.1.2, 6.2.11) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "password",
    ["My社区-pass-77", "Shequ-lantern-88", "ShenZhen-lantern-8", "深圳-Lantern-88", "Lantern-12345-x"],
)
def test_a_password_with_a_word_of_the_platforms_context_is_refused(password):
    with pytest.raises(ValidationError) as info:
        validate_password(password)
    assert "password_context_word" in [e.code for e in info.value.error_list]


def test_a_password_with_the_users_own_username_or_phone_is_refused(cast):
    user = cast["lina"]
    for password in ("Lina-lantern-88!", "Lantern-138 0000 0002", "x13800000002-Lantern"):
        with pytest.raises(ValidationError):
            ContextWordValidator().validate(password, user)
    ContextWordValidator().validate("Lantern-river-88", user)
    validate_password("Lantern-river-88", user)
