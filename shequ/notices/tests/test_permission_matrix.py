"""The permission matrix (DESIGN.md §8) on the notices' staff writes: publishing from the console form and
withdrawing, with the user without a role the notice tests did not walk, and a check that only the call in scope
wrote anything."""

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.geo.models import Area
from shequ.notices.models import Notice
from shequ.notices.services import NoticeData, notice_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def huafu_community(cast) -> Area:
    return (
        Area.objects.filter(parent__parent__code="440304", parent__name="华富街道").order_by("code").first()
    )


class TestConsoleNoticeWrites(PermissionMatrixMixin):
    def test_publish_permission_matrix(self, client, cast, make_user, huafu_community):
        form = {"title": "电梯检修", "body": "周三上午电梯检修。", "area": huafu_community.code}
        self.assert_permission_matrix(
            client,
            url="/console/notices/",
            method="post",
            multipart=True,
            data=form,
            in_scope=cast["lina"],
            no_role=make_user("nobody"),
            ok=(302,),
            page=True,
        )
        for refused in ("zhangwei", "liuyang", "sunli", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, cast[refused])
            assert client.post("/console/notices/", form).status_code == 403, refused
        sign_in(client, cast["wangqiang"])  # may publish, but not in 华富: the area reads as unknown
        assert client.post("/console/notices/", form).status_code == 400
        assert list(Notice.objects.values_list("author__username", flat=True)) == ["lina"]

    def test_withdraw_permission_matrix(self, client, cast, make_user, huafu_community):
        notice = notice_publish(
            actor=cast["lina"],
            data=NoticeData(title="停水通知", body="明天停水。", area=huafu_community.code),
        )
        for refused in ("zhangwei", "liuyang", "zhouyu", "wujun", "zhaomin"):
            sign_in(client, cast[refused])
            assert client.post(f"/console/notices/{notice.pk}/withdraw/").status_code == 403, refused
        notice.refresh_from_db()
        assert notice.withdrawn_at is None
        self.assert_permission_matrix(
            client,
            url=f"/console/notices/{notice.pk}/withdraw/",
            method="post",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            missing_url="/console/notices/999999/withdraw/",
            ok=(302,),
            page=True,
        )
        notice.refresh_from_db()
        assert notice.withdrawn_at is not None
