"""The API: publish (street officer, Idempotency-Key), acknowledge (only a warning that reached you), shelters;
each in the permission matrix."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.emergency import services
from shequ.emergency.models import Delivery, Warning

pytestmark = pytest.mark.django_db


def body(w, codes=None):
    return {
        "hazard": "typhoon",
        "level": "orange",
        "areas": codes if codes is not None else [w["a"].code],
        "message": "台风橙色预警：请减少外出。",
    }


class TestPublish(PermissionMatrixMixin):
    def test_permission_matrix(self, client, yuehai, cast, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            self.assert_permission_matrix(
                client,
                url="/api/v1/emergency/warnings",
                method="post",
                data=body(yuehai),
                in_scope=yuehai["officer"],
                no_role=yuehai["reader"].user,
                ok=(201,),
            )

    def test_an_area_outside_the_officers_scope_is_a_clear_error_and_nothing_is_written(self, client, yuehai):
        from .helpers import street

        sign_in(client, yuehai["officer"])
        r = client.post(
            "/api/v1/emergency/warnings",
            body(yuehai, [street("440304", "华富街道").code]),
            content_type="application/json",
        )
        assert r.status_code == 400
        assert r.json()["fields"]["areas"] == "华富街道不在您可发布预警的区域内。"
        assert not Warning.objects.exists()

    def test_no_area_is_a_clear_error(self, client, yuehai):
        sign_in(client, yuehai["officer"])
        r = client.post("/api/v1/emergency/warnings", body(yuehai, []), content_type="application/json")
        assert r.status_code == 400 and r.json()["fields"]["areas"] == "请至少选择一个预警覆盖的区域。"
        assert not Warning.objects.exists()

    def test_a_retried_post_with_the_same_key_publishes_once(
        self, client, yuehai, django_capture_on_commit_callbacks
    ):
        sign_in(client, yuehai["officer"])
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(
                "/api/v1/emergency/warnings",
                body(yuehai),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="k1",
            )
            again = client.post(
                "/api/v1/emergency/warnings",
                body(yuehai),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="k1",
            )
        assert first.status_code == again.status_code == 201
        assert again["Idempotent-Replayed"] == "true"
        assert Warning.objects.count() == 1
        assert first.json()["title"] == "橙色台风预警"


class TestAcknowledge(PermissionMatrixMixin):
    def test_permission_matrix(self, client, yuehai, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            warning = services.warning_publish(
                actor=yuehai["officer"],
                hazard="flood",
                level="yellow",
                area_codes=[yuehai["a"].code],
                message="洪水",
            )
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/emergency/warnings/{warning.pk}/acknowledge",
            method="post",
            in_scope=yuehai["reader"].user,
            out_of_scope=yuehai["outside"].user,
            missing_url=f"/api/v1/emergency/warnings/{warning.pk + 1000}/acknowledge",
        )
        d = Delivery.objects.get(warning=warning, user=yuehai["reader"].user)
        assert d.acknowledged_at is not None
        assert not Delivery.objects.filter(user=yuehai["outside"].user).exists()

    def test_the_answer_for_a_warning_that_did_not_reach_you_is_in_chinese(self, client, yuehai):
        sign_in(client, yuehai["outside"].user)
        r = client.post("/api/v1/emergency/warnings/999999/acknowledge", content_type="application/json")
        assert r.status_code == 404 and r.json()["message"] == "此预警未发送给您。"


class TestShelters(PermissionMatrixMixin):
    def test_permission_matrix_and_free_places(self, client, yuehai):
        shelter = services.shelter_create(
            actor=yuehai["officer"],
            area=yuehai["a"],
            name="粤海小学避难场所",
            lat=22.53,
            lng=113.94,
            capacity=300,
        )
        services.shelter_set_occupancy(actor=yuehai["officer"], shelter=shelter, occupied=120, is_open=True)
        self.assert_permission_matrix(
            client, url="/api/v1/emergency/shelters", in_scope=yuehai["reader"].user
        )
        sign_in(client, yuehai["reader"].user)
        rows = client.get("/api/v1/emergency/shelters", {"area": yuehai["street"].code}).json()
        assert [(s["name"], s["free"], s["is_open"]) for s in rows] == [("粤海小学避难场所", 180, True)]
        assert client.get("/api/v1/emergency/shelters", {"area": "000"}).status_code == 404
