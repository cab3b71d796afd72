"""/api/v1/timebank: the account, transfers with Idempotency-Key, and bad input that writes nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.timebank import services
from shequ.timebank.models import Account, Movement, Transfer

from .helpers import community, hours_record, resident_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(person, make_user):
    """张三 with 3 时间币 and his mother in the same household."""
    zhang = person("zhang", phone="13900000001", display_name="张三")
    mother = make_user("mother", phone="13900000002", display_name="王秀兰")
    resident_for(mother, household=zhang.resident.household, born=date(1950, 1, 1))
    services.timebank_earn_for_hours(hours_record(zhang, 180))
    services.family_link_declare(actor=zhang, phone="13900000002", relation="母亲")
    return zhang, mother, services.account_open(user=mother)


def post(client, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        "/api/v1/timebank/transfers", json.dumps(body), content_type="application/json", **headers
    )


class TestTimebankEndpoints(PermissionMatrixMixin):
    def test_my_account_permission_matrix(self, client, family):
        zhang, _mother, _ = family
        self.assert_permission_matrix(client, url="/api/v1/timebank/accounts/me", in_scope=zhang)

    def test_transfer_permission_matrix(self, client, family):
        zhang, _mother, target = family
        self.assert_permission_matrix(
            client,
            url="/api/v1/timebank/transfers",
            method="post",
            data={"kind": "family", "amount": "0.5", "to_account": target.pk},
            in_scope=zhang,
            ok=(201,),
        )


def test_my_account_shows_the_balance_the_family_and_the_movements(client, family):
    zhang, _mother, target = family
    sign_in(client, zhang)
    body = client.get("/api/v1/timebank/accounts/me").json()
    assert body["balance_minutes"] == 180 and body["balance"] == "3"
    assert body["area"]["code"] == community().code
    assert body["family"] == [
        {"account_id": target.pk, "name": "王**", "relation": "母亲", "status": "confirmed"}
    ]
    assert body["recent"][0]["kind"] == "earn" and body["recent"][0]["amount_minutes"] == 180
    assert body["rule"]["rate"] == "1.00"


def test_a_resident_without_an_account_sees_zero(client, person):
    sign_in(client, person("new"))
    body = client.get("/api/v1/timebank/accounts/me").json()
    assert (body["account_id"], body["balance_minutes"], body["recent"]) == (None, 0, [])


def test_a_transfer_to_the_mother_and_its_retry_with_the_same_key_moves_credits_once(client, family):
    zhang, mother, target = family
    sign_in(client, zhang)
    body = {"kind": "family", "amount": "1.5", "to_account": target.pk}
    first = post(client, body, key="k-1")
    assert first.status_code == 201, first.content
    assert first.json()["minutes"] == 90 and first.json()["balance"] == "1.5"
    again = post(client, body, key="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Transfer.objects.filter(kind="family").count() == 1
    assert Account.objects.get(owner=mother).balance == 90


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"amount": "-1"}, 400, "amount"),
        ({"amount": "0"}, 400, "amount"),
        ({"amount": "0.01"}, 400, "amount"),
        ({"amount": "1.005"}, 400, "amount"),
        ({"amount": "3.5"}, 409, "amount"),  # beyond the balance of 3
        ({"amount": "abc"}, 400, "amount"),
        ({"kind": "loan"}, 400, "kind"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(client, family, change, status, field):
    zhang, _mother, target = family
    sign_in(client, zhang)
    before = (Transfer.objects.count(), Movement.objects.count())
    r = post(client, {"kind": "family", "amount": "1", "to_account": target.pk, **change})
    assert r.status_code == status, r.content
    assert field in r.json()["fields"]
    assert r.json()["message"]
    assert (Transfer.objects.count(), Movement.objects.count()) == before


def test_a_transfer_to_ones_own_account_is_refused(client, family):
    zhang, _mother, _target = family
    sign_in(client, zhang)
    r = post(client, {"kind": "family", "amount": "1", "to_account": Account.objects.get(owner=zhang).pk})
    assert r.status_code == 400 and r.json()["fields"] == {"to": "yourself"}


def test_a_transfer_to_a_stranger_is_refused(client, family, person):
    zhang, _mother, _target = family
    stranger = services.account_open(user=person("stranger"))
    sign_in(client, zhang)
    r = post(client, {"kind": "family", "amount": "1", "to_account": stranger.pk})
    assert r.status_code == 400 and r.json()["code"] == "not_family"
    assert r.json()["message"] == "积分只能转给家人：请先登记亲属关系。"


def test_a_donation_to_a_community_pool_by_its_code(client, family):
    zhang, _mother, _target = family
    sign_in(client, zhang)
    pool = community("440305", "粤海街道")
    r = post(client, {"kind": "donation", "amount": "1", "pool": pool.code})
    assert r.status_code == 201, r.content
    assert Account.objects.get(kind="pool", area=pool).balance == 60
