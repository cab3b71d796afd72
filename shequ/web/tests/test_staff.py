"""Administration screens (issue 21): the system admin manages staff accounts and requests grants, the security
admin decides them (三员分立). Scoped: a district's system admin manages only his district's accounts."""

import pytest

from shequ.access.services import grant_bootstrap, grant_create, staff_create
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import Grant, GrantStatus, User
from shequ.accounts.roles import Role
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

MISSING = 999999991


@pytest.fixture
def futian_admins(cast, make_user):
    """A system admin and a security admin of 福田区 only (district-scoped administration)."""
    futian = Area.objects.get(code="440304")
    sys_admin, sec_admin = make_user("futian_sys"), make_user("futian_sec")
    grant_bootstrap(user=sys_admin, role=Role.SYSTEM_ADMIN, area=futian, reason="test")
    grant_bootstrap(user=sec_admin, role=Role.SECURITY_ADMIN, area=futian, reason="test")
    return {"sys": sys_admin, "sec": sec_admin}


@pytest.fixture
def nanshan_request(cast):
    """A pending request by 周宇 for 王强 in 南山区: out of the 福田 admins' scope."""
    return grant_create(
        actor=cast["zhouyu"],
        user=cast["wangqiang"],
        role=Role.COMMUNITY_WORKER,
        area=Area.objects.get(code="440305"),
    )


def _street(name: str) -> Area:
    return Area.objects.get(parent__code="440304", name=name)


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_staff_list_is_the_system_admins(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/staff/", in_scope=cast["zhouyu"], no_role=cast["wujun"], page=True
        )

    def test_the_new_account_form_is_the_system_admins(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/staff/new/", in_scope=cast["zhouyu"], no_role=cast["zhaomin"], page=True
        )

    def test_creating_an_account_is_the_system_admins(self, client, cast):
        counter = iter(range(100))

        def data():
            return {
                "username": f"matrix{next(counter)}",
                "display_name": "测试",
                "role": Role.GRID_WORKER,
                "area": _street("华富街道").code,
            }

        self.assert_permission_matrix(
            client,
            url="/console/staff/new/",
            method="post",
            data=lambda: data(),
            multipart=True,
            in_scope=cast["zhouyu"],
            no_role=cast["wujun"],
            page=True,
        )

    def test_an_account_outside_the_district_is_not_found(self, client, cast, futian_admins):
        self.assert_permission_matrix(
            client,
            url=f"/console/staff/{cast['wangqiang'].pk}/",
            in_scope=cast["zhouyu"],
            out_of_scope=futian_admins["sys"],
            no_role=cast["zhaomin"],
            missing_url=f"/console/staff/{MISSING}/",
            page=True,
        )

    @pytest.mark.parametrize("action", ["disable", "enable", "password", "totp"])
    def test_account_actions_are_scoped(self, client, cast, futian_admins, action):
        self.assert_permission_matrix(
            client,
            url=f"/console/staff/{cast['wangqiang'].pk}/{action}/",
            method="post",
            data={"reason": "调岗"},
            multipart=True,
            ok=(200, 302),
            in_scope=cast["zhouyu"],
            out_of_scope=futian_admins["sys"],
            no_role=cast["wujun"],
            missing_url=f"/console/staff/{MISSING}/{action}/",
            page=True,
        )

    def test_requesting_a_grant_is_scoped(self, client, cast, futian_admins):
        self.assert_permission_matrix(
            client,
            url=f"/console/staff/{cast['wangqiang'].pk}/grants/",
            method="post",
            data={"role": Role.STREET_OFFICER, "area": "440305"},
            multipart=True,
            ok=(302, 400),
            in_scope=cast["zhouyu"],
            out_of_scope=futian_admins["sys"],
            no_role=cast["wujun"],
            missing_url=f"/console/staff/{MISSING}/grants/",
            page=True,
        )

    def test_the_grant_requests_page_is_the_security_admins(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/grants/", in_scope=cast["wujun"], no_role=cast["zhouyu"], page=True
        )

    def test_deciding_a_grant_is_scoped(self, client, cast, futian_admins, nanshan_request):
        self.assert_permission_matrix(
            client,
            url=f"/console/grants/{nanshan_request.pk}/decide/",
            method="post",
            data={"decision": "reject"},
            multipart=True,
            ok=(302,),
            in_scope=cast["wujun"],
            out_of_scope=futian_admins["sec"],
            no_role=cast["zhouyu"],
            missing_url=f"/console/grants/{MISSING}/decide/",
            page=True,
        )


def test_the_system_admin_creates_an_account_whose_role_waits_for_the_security_admin(client, cast):
    sign_in(client, cast["zhouyu"])
    r = client.post(
        "/console/staff/new/",
        {
            "username": "zhaolei",
            "display_name": "赵磊",
            "role": Role.GRID_WORKER,
            "area": _street("华富街道").code,
        },
    )
    page = r.content.decode()
    assert r.status_code == 200 and "临时密码" in page
    user = User.objects.get(username="zhaolei")
    password = page.split('id="temporary-password" class="user-select-all">')[1].split("<")[0]
    assert user.check_password(password) and not user.totp_secret
    grant = Grant.objects.get(user=user)
    assert grant.status == GrantStatus.PENDING and grant.requested_by == cast["zhouyu"]
    actions = set(AuditEntry.objects.filter(actor_username="zhouyu").values_list("action", flat=True))
    assert {"user.create", "grant.request"} <= actions
    assert password not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_a_taken_account_name_is_refused_in_chinese_and_nothing_is_written(client, cast):
    sign_in(client, cast["zhouyu"])
    users, entries = User.objects.count(), AuditEntry.objects.count()
    r = client.post(
        "/console/staff/new/",
        {
            "username": "LINA",
            "display_name": "重名",
            "role": Role.GRID_WORKER,
            "area": _street("华富街道").code,
        },
    )
    assert r.status_code == 400 and "此账号名已被使用" in r.content.decode()
    assert User.objects.count() == users and AuditEntry.objects.count() == entries


def test_a_district_admin_cannot_place_an_account_in_another_district(client, cast, futian_admins):
    sign_in(client, futian_admins["sys"])
    users = User.objects.count()
    r = client.post(
        "/console/staff/new/",
        {"username": "nanshan1", "display_name": "南山", "role": Role.GRID_WORKER, "area": "440305"},
    )
    assert r.status_code == 400 and User.objects.count() == users
    assert "440305" not in client.get("/console/staff/new/").content.decode()


def test_a_district_admin_lists_only_his_district(client, cast, futian_admins):
    sign_in(client, futian_admins["sys"])
    page = client.get("/console/staff/").content.decode()
    assert "lina" in page and "wangqiang" not in page


def test_disabling_needs_a_reason_and_is_audited(client, cast):
    sign_in(client, cast["zhouyu"])
    url = f"/console/staff/{cast['lina'].pk}/disable/"
    entries = AuditEntry.objects.count()
    client.post(url, {"reason": " "})
    assert User.objects.get(username="lina").is_active and AuditEntry.objects.count() == entries
    assert "请说明原因" in client.get(f"/console/staff/{cast['lina'].pk}/").content.decode()
    client.post(url, {"reason": "离职"})
    assert not User.objects.get(username="lina").is_active
    assert AuditEntry.objects.filter(action="user.disable", purpose="离职", actor_username="zhouyu").exists()


def test_a_totp_reset_makes_the_next_sign_in_enrol_again(client, cast):
    sign_in(client, cast["zhouyu"])
    client.post(f"/console/staff/{cast['lina'].pk}/totp/")
    lina = User.objects.get(username="lina")
    assert lina.totp_secret == "" and lina.totp_confirmed_at is None
    assert AuditEntry.objects.filter(action="user.totp_reset", object_repr="lina").exists()


def test_a_password_reset_shows_a_new_password_once(client, cast):
    sign_in(client, cast["zhouyu"])
    r = client.post(f"/console/staff/{cast['lina'].pk}/password/")
    password = r.content.decode().split('class="user-select-all">')[1].split("<")[0]
    assert User.objects.get(username="lina").check_password(password)
    assert AuditEntry.objects.filter(action="user.password_reset", actor_username="zhouyu").exists()


def test_the_system_admin_cannot_touch_the_other_admins_accounts(client, cast):
    sign_in(client, cast["zhouyu"])
    for who in ("wujun", "zhaomin", "zhouyu"):
        r = client.post(f"/console/staff/{cast[who].pk}/password/")
        assert r.status_code == 403 and "无权访问" in r.content.decode()
        assert User.objects.get(username=who).check_password("Shequ-demo-2026!")
    assert AuditEntry.objects.filter(action="user.refused", actor_username="zhouyu").count() == 3


def test_the_security_admin_approves_and_cannot_decide_what_he_asked_for(client, cast):
    user, _pw = staff_create(
        actor=cast["zhouyu"],
        username="zhaolei",
        display_name="赵磊",
        role=Role.GRID_WORKER,
        area=_street("华富街道"),
    )
    grant = Grant.objects.get(user=user)
    sign_in(client, cast["wujun"])
    assert "赵磊" in client.get("/console/grants/").content.decode()
    client.post(f"/console/grants/{grant.pk}/decide/", {"decision": "approve"})
    grant.refresh_from_db()
    assert grant.status == GrantStatus.ACTIVE and grant.decided_by == cast["wujun"]
    assert AuditEntry.objects.filter(action="grant.approve", actor_username="wujun").exists()
    own = grant_create(
        actor=cast["wujun"], user=cast["lina"], role=Role.STREET_OFFICER, area=_street("华富街道")
    )
    assert own.status == GrantStatus.ACTIVE  # the security admin grants directly; he never asks himself


def test_the_system_admin_cannot_decide_a_grant(client, cast, nanshan_request):
    sign_in(client, cast["zhouyu"])
    assert (
        client.post(f"/console/grants/{nanshan_request.pk}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    nanshan_request.refresh_from_db()
    assert nanshan_request.status == GrantStatus.PENDING
