"""The security admin revokes an active grant from the grants page, with a reason, audited (issue 21). Scoped: a
district's security admin revokes only his district's grants (out of scope is 404); nobody revokes his own; the
system admin cannot revoke at all (三员分立)."""

import pytest

from shequ.access.scoping import can
from shequ.access.services import grant_bootstrap
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import Grant, GrantStatus
from shequ.accounts.roles import Action, Role
from shequ.audit.models import AuditEntry
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

MISSING = 999999991


@pytest.fixture
def futian_sec(cast, make_user):
    user = make_user("futian_sec")
    grant_bootstrap(user=user, role=Role.SECURITY_ADMIN, area=Area.objects.get(code="440304"), reason="test")
    return user


def _wangqiang_grant(cast) -> Grant:
    """王强's street officer grant in 南山区 粤海街道: outside 福田区."""
    return Grant.objects.get(user=cast["wangqiang"], status=GrantStatus.ACTIVE)


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_revoking_is_the_security_admins_and_scoped(self, client, cast, futian_sec):
        grant = _wangqiang_grant(cast)
        self.assert_permission_matrix(
            client,
            url=f"/console/grants/{grant.pk}/revoke/",
            method="post",
            # A missing reason: refused with a message, nothing changed (the matrix needs no real revocation).
            data={"reason": ""},
            multipart=True,
            ok=(302,),
            in_scope=cast["wujun"],
            out_of_scope=futian_sec,
            no_role=cast["zhouyu"],
            missing_url=f"/console/grants/{MISSING}/revoke/",
            page=True,
        )
        assert Grant.objects.get(pk=grant.pk).status == GrantStatus.ACTIVE


def test_the_security_admin_revokes_a_grant_with_a_reason_and_it_is_audited(client, cast):
    grant = _wangqiang_grant(cast)
    sign_in(client, cast["wujun"])
    page = client.get("/console/grants/?q=wangqiang").content.decode()
    assert "有效授权" in page and "王强" in page and f"/console/grants/{grant.pk}/revoke/" in page

    r = client.post(f"/console/grants/{grant.pk}/revoke/", {"reason": "调往南山区城管局", "q": "wangqiang"})
    assert r.status_code == 302 and r.url == "/console/grants/?q=wangqiang"
    page = client.get(r.url).content.decode()
    assert "已撤销：王强 不再是粤海街道的街道工作人员。" in page
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKED and grant.decided_by == cast["wujun"]
    assert not can(cast["wangqiang"], Action.APPEALS_VIEW)
    entry = AuditEntry.objects.filter(action="grant.revoke").latest("seq")
    assert entry.purpose == "调往南山区城管局" and entry.actor_username == "wujun"
    assert entry.changes == {"status": {"before": "active", "after": "revoked"}}


def test_a_revocation_without_a_reason_is_refused_and_changes_nothing(client, cast):
    grant = _wangqiang_grant(cast)
    sign_in(client, cast["wujun"])
    r = client.post(f"/console/grants/{grant.pk}/revoke/", {"reason": "  "}, follow=True)
    assert "请说明撤销授权的原因。" in r.content.decode()
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.ACTIVE
    assert not AuditEntry.objects.filter(action="grant.revoke").exists()


def test_a_revoked_grant_cannot_be_revoked_again(client, cast):
    grant = _wangqiang_grant(cast)
    sign_in(client, cast["wujun"])
    client.post(f"/console/grants/{grant.pk}/revoke/", {"reason": "调岗"})
    r = client.post(f"/console/grants/{grant.pk}/revoke/", {"reason": "再次"}, follow=True)
    assert "只有有效的授权才能撤销。" in r.content.decode()
    assert AuditEntry.objects.filter(action="grant.revoke").count() == 1


def test_nobody_revokes_his_own_grant(client, cast):
    own = Grant.objects.get(user=cast["wujun"], status=GrantStatus.ACTIVE)
    sign_in(client, cast["wujun"])
    assert "您自己的角色" in client.get("/console/grants/?q=wujun").content.decode()
    assert client.post(f"/console/grants/{own.pk}/revoke/", {"reason": "试试"}).status_code == 403
    assert Grant.objects.get(pk=own.pk).status == GrantStatus.ACTIVE
    assert AuditEntry.objects.filter(action="grant.refused", actor_username="wujun").exists()
