"""/api/v1/needs, /api/v1/resources, /api/v1/meetings: public lists without personal data, posting with
Idempotency-Key, clear errors that write nothing, and the permission matrix."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.participation import services
from shequ.participation.models import Meeting, Need

from .helpers import cat, need

pytestmark = pytest.mark.django_db


def _need_body(area) -> dict:
    return {
        "area": area.code,
        "category": "elderly",
        "title": "楼道需要扶手",
        "description": "3栋楼道没有扶手，老人不便。",
    }


def _meeting_body(area) -> dict:
    return {
        "area": area.code,
        "kind": "building",
        "title": "3栋楼栋议事",
        "agenda": "扶手安装方案",
        "place": "3栋一楼大堂",
        "starts_at": "2026-12-20T19:00:00+08:00",
        "ends_at": "2026-12-20T20:30:00+08:00",
    }


class TestNeeds:
    def test_the_list_is_public_and_shows_no_poster(self, client, make_user, huafu_community):
        poster = make_user("poster", display_name="陈小明")
        need(poster, huafu_community)
        r = client.get("/api/v1/needs", {"area": huafu_community.code})
        assert r.status_code == 200
        body = r.json()
        assert [n["title"] for n in body] == ["楼道需要扶手"]
        assert body[0]["status_label"] == "等待对接" or body[0]["status"] == "open"
        assert "陈小明" not in r.content.decode() and "poster" not in r.content.decode()

    def test_posting_twice_with_the_same_key_creates_one(self, client, resident, huafu_community):
        sign_in(client, resident)
        headers = {"HTTP_IDEMPOTENCY_KEY": "need-1"}
        first = client.post(
            "/api/v1/needs", _need_body(huafu_community), content_type="application/json", **headers
        )
        again = client.post(
            "/api/v1/needs", _need_body(huafu_community), content_type="application/json", **headers
        )
        assert first.status_code == 201 and again.status_code == 201
        assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
        assert Need.objects.count() == 1

    def test_bad_input_is_a_clear_400_and_writes_nothing(self, client, resident, huafu_community):
        sign_in(client, resident)
        body = _need_body(huafu_community) | {"category": "nope", "title": "x"}
        r = client.post("/api/v1/needs", body, content_type="application/json")
        assert r.status_code == 400 and "category" in r.json()["fields"]
        body = _need_body(huafu_community) | {"title": "x"}
        r = client.post("/api/v1/needs", body, content_type="application/json")
        assert r.status_code == 400 and "title" in r.json()["fields"]
        assert not Need.objects.exists()

    def test_post_permission_matrix(self, client, resident, huafu_community):
        # Any signed-in person may post his own need; anonymous is 401.
        PermissionMatrixMixin().assert_permission_matrix(
            client,
            url="/api/v1/needs",
            method="post",
            data=_need_body(huafu_community),
            in_scope=resident,
            ok=(201,),
        )


class TestResources:
    def test_the_list_is_public_by_community(self, client, cast, huafu_community, yuehai_community):
        services.resource_add(
            actor=cast["lina"], area=huafu_community, category=cat(), kind="company", name="物业公司"
        )
        services.resource_add(
            actor=cast["wangqiang"], area=yuehai_community, category=cat(), kind="fund", name="粤海基金"
        )
        r = client.get("/api/v1/resources", {"area": huafu_community.code})
        assert [x["name"] for x in r.json()] == ["物业公司"]
        assert client.get("/api/v1/resources", {"area": "nowhere"}).status_code == 404


class TestMeetings(PermissionMatrixMixin):
    def test_convening_is_for_the_communitys_staff(self, client, cast, make_user, huafu_community):
        self.assert_permission_matrix(
            client,
            url="/api/v1/meetings",
            method="post",
            data=lambda: _meeting_body(huafu_community),
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            ok=(201,),
        )

    def test_a_retry_creates_one_meeting_and_the_list_shows_it(self, client, cast, huafu_community):
        sign_in(client, cast["lina"])
        for _ in range(2):
            r = client.post(
                "/api/v1/meetings",
                _meeting_body(huafu_community),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="m-1",
            )
            assert r.status_code == 201
        assert Meeting.objects.count() == 1
        client.logout()
        listed = client.get("/api/v1/meetings", {"area": huafu_community.code}).json()
        assert [m["title"] for m in listed] == ["3栋楼栋议事"] and listed[0]["kind"] == "building"

    def test_end_before_start_is_400_and_nothing_written(self, client, cast, huafu_community):
        sign_in(client, cast["lina"])
        body = _meeting_body(huafu_community) | {"ends_at": "2026-12-20T18:00:00+08:00"}
        r = client.post("/api/v1/meetings", body, content_type="application/json")
        assert r.status_code == 400 and "ends_at" in r.json()["fields"]
        assert not Meeting.objects.exists()
