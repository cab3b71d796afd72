"""/api/v1/dispatch: who may ask for suggestions and see the models (DESIGN.md §8 permission matrix)."""

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.geo.models import Area

from .conftest import add_rule, submit

pytestmark = pytest.mark.django_db

RUBBISH = "小区门口的垃圾桶满了没人清理，味道很大，请尽快处理"


@pytest.fixture
def nanshan_dispatcher(cast):
    """A dispatcher whose grant covers 南山区 only: 华富街道 (福田区) is outside his scope."""
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.models import User

    user = User.objects.create(username="nanshan_dispatcher", display_name="南山调度")
    grant_bootstrap(
        user=user, role="dispatcher", area=Area.objects.get(code="440305"), reason="dispatch tests"
    )
    return user


class TestDispatchEndpoints(PermissionMatrixMixin):
    def test_suggest_permission_matrix(self, client, cast, make_user, category_model):
        self.assert_permission_matrix(
            client,
            method="post",
            url="/api/v1/dispatch/suggest",
            data={"text": RUBBISH},
            in_scope=cast["sunli"],
            no_role=make_user("nobody"),
        )

    def test_intake_staff_may_ask_but_residents_and_handlers_may_not(self, client, cast, category_model):
        sign_in(client, cast["lina"])  # community worker: records appeals (APPEALS_INTAKE)
        assert (
            client.post(
                "/api/v1/dispatch/suggest", {"text": RUBBISH}, content_type="application/json"
            ).status_code
            == 200
        )
        for username in ("zhangwei", "liuyang"):
            sign_in(client, cast[username])
            r = client.post("/api/v1/dispatch/suggest", {"text": RUBBISH}, content_type="application/json")
            assert r.status_code == 403, username

    def test_models_permission_matrix(self, client, cast, make_user, category_model):
        self.assert_permission_matrix(
            client, url="/api/v1/dispatch/models", in_scope=cast["sunli"], no_role=make_user("nobody")
        )
        sign_in(client, cast["lina"])
        assert client.get("/api/v1/dispatch/models").status_code == 403

    def test_appeal_suggestion_permission_matrix(
        self, client, cast, make_user, category_model, places, nanshan_dispatcher
    ):
        appeal = submit(RUBBISH, places["community"].code, category="sanitation")
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/dispatch/appeals/{appeal.pk}/suggestion",
            in_scope=cast["sunli"],
            out_of_scope=nanshan_dispatcher,
            no_role=make_user("nobody"),
            missing_url="/api/v1/dispatch/appeals/999999/suggestion",
        )


def test_a_suggestion_over_the_api(client, cast, category_model, places):
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    sign_in(client, cast["sunli"])
    r = client.post(
        "/api/v1/dispatch/suggest",
        {"text": RUBBISH, "area": places["community"].code},
        content_type="application/json",
    )
    body = r.json()
    assert r.status_code == 200
    assert body["category"][0]["code"] == "sanitation" and len(body["category"]) == 3
    assert body["category"][0]["words"] and body["model_version"] == {"category": 1, "unit": None}
    assert body["unit"][0] == {
        "code": places["office"].code,
        "name": places["office"].name,
        "probability": None,
        "words": [],
        "source": "rules",
    }
    assert body["auto_dispatch"] is True


def test_bad_input_is_a_400(client, cast, category_model):
    sign_in(client, cast["sunli"])
    assert (
        client.post("/api/v1/dispatch/suggest", {"text": ""}, content_type="application/json").status_code
        == 400
    )
    r = client.post(
        "/api/v1/dispatch/suggest", {"text": "垃圾", "area": "999"}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["fields"] == {"area": "999"}


def test_the_model_list_shows_metrics_in_constant_queries(
    client, cast, category_model, django_assert_max_num_queries
):
    from shequ.dispatch.services import model_train

    model_train(actor=None, kind="category", min_examples=20)
    sign_in(client, cast["sunli"])
    with django_assert_max_num_queries(8):
        body = client.get("/api/v1/dispatch/models").json()
    assert [(m["version"], m["active"]) for m in body] == [(2, True), (1, False)]
    assert body[0]["metrics"]["cv_macro_f1"] > 0.8 and body[0]["trained_on"]["rows"] == 120
