"""The permission matrix (DESIGN.md §8) on the leaders' dashboard and its export: anonymous to sign in, roles without
the KPIs refused, the area of the user's grant shown, an area outside it answered exactly as an unknown code."""

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals.services import IntakeData, appeal_submit
from shequ.geo.models import Area

pytestmark = pytest.mark.django_db

MISSING = "999999999"


@pytest.fixture
def huafu(cast) -> Area:
    street = Area.objects.get(parent__code="440304", name="华富街道")
    community = Area.objects.filter(parent=street).order_by("code").first()
    appeal_submit(
        actor=None, data=IntakeData(text="华富的路灯坏了好几天", channel="portal", area=community.code)
    )
    return street


class TestDashboardPages(PermissionMatrixMixin):
    def test_dashboard_of_an_area_permission_matrix(self, client, cast, make_user, huafu):
        self.assert_permission_matrix(
            client,
            url=f"/dashboard/?area={huafu.code}",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            missing_url=f"/dashboard/?area={MISSING}",
            page=True,
        )

    def test_dashboard_export_permission_matrix(self, client, cast, make_user, huafu):
        self.assert_permission_matrix(
            client,
            url=f"/dashboard/export/?area={huafu.code}&chart=by_area&format=csv",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            missing_url=f"/dashboard/export/?area={MISSING}&chart=by_area&format=csv",
            page=True,
        )
        sign_in(client, cast["lina"])
        export = client.get("/dashboard/export/", {"area": huafu.code, "chart": "by_area", "format": "csv"})
        assert export["Content-Type"].startswith("text/csv") and "华山社区" in export.content.decode(
            "utf-8-sig"
        )

    @pytest.mark.parametrize("username", ["zhangwei", "zhouyu", "wujun", "zhaomin"])
    def test_roles_without_the_kpis_are_refused_both(self, client, cast, huafu, username):
        sign_in(client, cast[username])
        assert client.get("/dashboard/").status_code == 403
        assert client.get("/dashboard/export/", {"chart": "by_area"}).status_code == 403

    def test_the_export_without_an_area_holds_only_the_users_scope(self, client, cast, huafu):
        sign_in(client, cast["wangqiang"])
        export = client.get("/dashboard/export/", {"chart": "by_area", "format": "csv"}).content.decode(
            "utf-8-sig"
        )
        assert "华山社区" not in export and "华富" not in export
