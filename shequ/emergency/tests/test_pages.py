"""Pages: the permission matrix of every page, what the resident and the grid worker read."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.emergency import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(yuehai, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.warning_publish(
            actor=yuehai["officer"],
            hazard="rainstorm",
            level="red",
            area_codes=[yuehai["a"].code],
            message="暴雨红色预警，停课停工。",
        )


class TestPages(PermissionMatrixMixin):
    def test_console_pages(self, client, yuehai, warning, cast):
        for url in ("/console/emergency/", "/console/emergency/warnings/new/"):
            self.assert_permission_matrix(
                client, url=url, in_scope=yuehai["officer"], no_role=yuehai["reader"].user, page=True
            )
        self.assert_permission_matrix(
            client,
            url=f"/console/emergency/warnings/{warning.pk}/calls/",
            in_scope=yuehai["grid"],
            out_of_scope=cast["lina"],
            no_role=yuehai["reader"].user,
            missing_url=f"/console/emergency/warnings/{warning.pk + 999}/calls/",
            page=True,
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/emergency/warnings/{warning.pk}/",
            in_scope=yuehai["grid"],
            out_of_scope=cast["lina"],
            missing_url=f"/console/emergency/warnings/{warning.pk + 999}/",
            page=True,
        )

    def test_resident_pages(self, client, yuehai, warning):
        self.assert_permission_matrix(
            client,
            url=f"/emergency/{warning.pk}/",
            in_scope=yuehai["reader"].user,
            out_of_scope=yuehai["outside"].user,
            missing_url=f"/emergency/{warning.pk + 999}/",
            page=True,
            sign_in_url="/accounts/resident/",
        )


class TestPostPages(PermissionMatrixMixin):
    """The pages that act (POST) and the lists, each walked as anonymous, no role, in scope, out of scope."""

    def test_resident_lists_and_actions(self, client, yuehai, warning):
        resident = "/accounts/resident/"
        self.assert_permission_matrix(
            client, url="/emergency/", in_scope=yuehai["reader"].user, page=True, sign_in_url=resident
        )
        for action in ("acknowledge", "safety"):
            self.assert_permission_matrix(
                client,
                url=f"/emergency/{warning.pk}/{action}/",
                method="post",
                in_scope=yuehai["reader"].user,
                out_of_scope=yuehai["outside"].user,
                missing_url=f"/emergency/{warning.pk + 999}/{action}/",
                ok=(302,),
                page=True,
                sign_in_url=resident,
            )

    def test_staff_lists_and_actions(self, client, yuehai, warning, cast):
        from shequ.accounts.roles import Role
        from shequ.emergency.models import Delivery

        from .helpers import staff, street

        self.assert_permission_matrix(
            client,
            url="/console/emergency/calls/",
            in_scope=yuehai["grid"],
            no_role=yuehai["reader"].user,
            page=True,
        )
        d = Delivery.objects.get(warning=warning, resident=yuehai["elder"])
        for action in ("confirm", "follow-up"):
            self.assert_permission_matrix(
                client,
                url=f"/console/emergency/people/{d.pk}/{action}/",
                method="post",
                in_scope=yuehai["grid"],
                out_of_scope=yuehai["grid_b"],
                no_role=yuehai["reader"].user,
                missing_url=f"/console/emergency/people/{d.pk + 999}/{action}/",
                ok=(302,),
                page=True,
            )
        other_officer = staff("em_officer_huafu", Role.STREET_OFFICER, street("440304", "华富街道"))
        self.assert_permission_matrix(
            client,
            url=f"/console/emergency/warnings/{warning.pk}/end/",
            method="post",
            in_scope=yuehai["officer"],
            out_of_scope=other_officer,
            no_role=yuehai["grid"],
            missing_url=f"/console/emergency/warnings/{warning.pk + 999}/end/",
            ok=(302,),
            page=True,
        )
        warning.refresh_from_db()
        assert warning.status == "ended"


def test_the_resident_sees_the_banner_and_acknowledges_it(client, yuehai, warning):
    client.force_login(yuehai["reader"].user)
    page = client.get("/").content.decode()
    assert "红色暴雨预警" in page and "暴雨红色预警，停课停工。" in page and "我已收到" in page
    r = client.post(f"/emergency/{warning.pk}/acknowledge/", {"next": "/"}, follow=True)
    page = r.content.decode()
    assert "谢谢，已确认您收到预警。" in page and "已确认收到" in page and "我已收到" not in page
    # Someone outside the area sees no banner.
    client.force_login(yuehai["outside"].user)
    assert "红色暴雨预警" not in client.get("/").content.decode()


def test_the_grid_workers_call_list_shrinks_when_he_reaches_someone(client, yuehai, warning):
    sign_in(client, yuehai["grid"])
    page = client.get(f"/console/emergency/warnings/{warning.pk}/calls/").content.decode()
    assert "王阿婆" in page and "独居老人" in page and "还需联系 1 人" in page
    assert "赵老伯" not in page  # another community's grid
    from shequ.emergency.models import Delivery

    d = Delivery.objects.get(warning=warning, resident=yuehai["elder"])
    page = client.post(
        f"/console/emergency/people/{d.pk}/confirm/", {"way": "call"}, follow=True
    ).content.decode()
    assert "已登记：已告知此人。" in page and "还需联系 0 人" in page
    # The other grid worker cannot act on her.
    sign_in(client, yuehai["grid_b"])
    assert client.post(f"/console/emergency/people/{d.pk}/confirm/", {"way": "call"}).status_code == 404


def test_the_officer_publishes_from_the_form_and_a_refusal_keeps_what_he_typed(
    client, yuehai, django_capture_on_commit_callbacks
):
    sign_in(client, yuehai["officer"])
    r = client.post(
        "/console/emergency/warnings/new/", {"hazard": "typhoon", "level": "red", "message": "台风来了"}
    )
    page = r.content.decode()
    assert r.status_code == 400 and "请至少选择一个预警覆盖的区域。" in page and "台风来了" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/console/emergency/warnings/new/",
            {"hazard": "typhoon", "level": "red", "message": "台风来了", "areas": [yuehai["a"].code]},
            follow=True,
        )
    page = r.content.decode()
    assert "预警已发布" in page and "红色台风预警" in page and "大喇叭播报清单" in page


def test_a_street_wide_warning_is_on_the_call_list_of_a_grid_worker_of_one_community(
    client, yuehai, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        warning = services.warning_publish(
            actor=yuehai["officer"],
            hazard="heat",
            level="orange",
            area_codes=[yuehai["street"].code],
            message="高温",
        )
    sign_in(client, yuehai["grid_b"])
    page = client.get(f"/console/emergency/warnings/{warning.pk}/calls/").content.decode()
    assert "橙色高温预警" in page and "赵老伯" in page and "王阿婆" not in page
    assert "橙色高温预警" in client.get("/console/emergency/calls/").content.decode()
