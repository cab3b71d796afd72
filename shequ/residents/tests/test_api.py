from datetime import date

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def huafu(make_resident):
    return make_resident("440304", "华富街道", phone="13912345678", tags=["elderly_alone"])


@pytest.fixture
def yuehai(make_resident):
    return make_resident("440305", "粤海街道", phone="13987654321")


class TestResidentEndpoints(PermissionMatrixMixin):
    def test_detail_permission_matrix(self, client, cast, make_user, huafu, yuehai):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/residents/{huafu.pk}",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            missing_url="/api/v1/residents/999999",
        )

    def test_list_permission_matrix(self, client, cast, make_user, huafu, yuehai):
        self.assert_permission_matrix(
            client, url="/api/v1/residents", in_scope=cast["lina"], no_role=make_user("nobody")
        )
        sign_in(client, cast["wangqiang"])
        ids = [r["id"] for r in client.get("/api/v1/residents").json()["items"]]
        assert ids == [yuehai.pk]

    def test_reveal_permission_matrix(self, client, cast, make_user, huafu, yuehai):
        self.assert_permission_matrix(
            client,
            method="post",
            url=f"/api/v1/residents/{huafu.pk}/reveal",
            data={"fields": ["phone"], "purpose": "home visit"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=make_user("nobody"),
            missing_url="/api/v1/residents/999999/reveal",
        )


def test_the_list_is_masked_and_filtered(client, cast, huafu):
    sign_in(client, cast["lina"])
    body = client.get("/api/v1/residents", {"tag": "elderly_alone"}).json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["phone"] == "139****5678"
    assert row["id_number"].startswith("440304") and "********" in row["id_number"]
    assert "birth_date" not in row and row["tags"] == [{"code": "elderly_alone", "name": "独居老人"}]


def test_exact_lookup_by_phone_uses_the_keyed_hash(client, cast, huafu):
    sign_in(client, cast["lina"])
    assert client.get("/api/v1/residents", {"phone": "139-1234-5678"}).json()["count"] == 1
    assert client.get("/api/v1/residents", {"phone": "13900000000"}).json()["count"] == 0


def test_the_list_runs_a_constant_number_of_queries(
    client, cast, make_resident, django_assert_max_num_queries
):
    for _ in range(3):
        make_resident("440304", "华富街道")
    sign_in(client, cast["lina"])
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/residents")
    for _ in range(10):
        make_resident("440304", "华富街道", tags=["dibao"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/residents")


def test_reveal_answers_plaintext_and_audits_the_purpose(client, cast, huafu):
    sign_in(client, cast["lina"])
    r = client.post(
        f"/api/v1/residents/{huafu.pk}/reveal",
        {"fields": ["phone"], "purpose": "home visit"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r["X-Shequ-Reveal"] == "audited" and r["Cache-Control"] == "no-store"
    assert r.json()["values"] == {"phone": "13912345678"}
    assert AuditEntry.objects.filter(
        action="resident.reveal", purpose="home visit", actor_username="lina"
    ).exists()


def test_reveal_without_purpose_is_400(client, cast, huafu):
    sign_in(client, cast["lina"])
    r = client.post(
        f"/api/v1/residents/{huafu.pk}/reveal",
        {"fields": ["phone"], "purpose": ""},
        content_type="application/json",
    )
    assert r.status_code == 400 and "purpose" in r.json()["fields"]


def test_city_admin_sees_masked_data_but_may_not_reveal(client, cast, huafu):
    sign_in(client, cast["chenjing"])
    assert client.get(f"/api/v1/residents/{huafu.pk}").status_code == 200
    r = client.post(
        f"/api/v1/residents/{huafu.pk}/reveal",
        {"fields": ["phone"], "purpose": "curiosity"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_children_under_14_are_hidden_from_roles_that_do_not_need_them(client, cast, make_resident):
    child = make_resident("440304", "华富街道", born=date.today().replace(year=date.today().year - 8))
    adult = make_resident("440304", "华富街道")
    sign_in(client, cast["chenjing"])  # city administrator: no residents.view_minors
    ids = {r["id"] for r in client.get("/api/v1/residents", {"limit": 100}).json()["items"]}
    assert adult.pk in ids and child.pk not in ids
    assert client.get(f"/api/v1/residents/{child.pk}").status_code == 404
    sign_in(client, cast["lina"])  # community worker: needs them for care work
    r = client.get(f"/api/v1/residents/{child.pk}")
    assert r.status_code == 200 and r.json()["minor"] is True


def test_a_resident_sees_his_own_record(client, cast, huafu):
    from shequ.residents.models import Resident

    Resident.objects.filter(pk=huafu.pk).update(user=cast["zhangwei"])
    sign_in(client, cast["zhangwei"])
    body = client.get("/api/v1/residents").json()
    assert [r["id"] for r in body["items"]] == [huafu.pk]


def test_a_bearer_token_works_and_a_forged_one_is_refused(client, cast, huafu):
    from shequ.accounts.tokens import token_issue

    _, raw = token_issue(user=cast["lina"], name="test")
    ok = client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 200 and ok.json()["count"] == 1
    forged = raw[:-4] + "AAAA"
    assert client.get("/api/v1/residents", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401


def test_a_session_post_without_a_csrf_token_is_refused(cast, huafu):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, cast["lina"])
    r = strict.post(
        f"/api/v1/residents/{huafu.pk}/reveal",
        {"fields": ["phone"], "purpose": "home visit"},
        content_type="application/json",
    )
    assert r.status_code in (401, 403)
    assert not AuditEntry.objects.filter(action="resident.reveal").exists()
