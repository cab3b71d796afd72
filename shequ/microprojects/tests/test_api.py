"""/api/v1/microprojects: the permission matrix of each operation, bad input, 409 on a second ballot,
Idempotency-Key."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.microprojects import services
from shequ.microprojects.models import Ballot, Proposal, Round

from .factories import huafu, make_round, round_in_vote, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(cast, make_resident):
    return verified(make_resident(name="张伟"), cast["zhangwei"])


@pytest.fixture
def outsider(make_resident, make_user):
    return verified(make_resident("440305", "粤海街道", name="外区居民"), make_user("mp_outsider"))


def round_body(**extra):
    return {
        "area": huafu().code,
        "year": 2027,
        "title": "华富街道2027年民生微实事",
        "budget": 800000,
        "ballot_kind": "knapsack",
        "method": "equal_shares",
        "eligibility": "household",
        **extra,
    }


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_create_round_permission_matrix(self, client, cast):
        self.assert_permission_matrix(
            client,
            url="/api/v1/microprojects/rounds",
            method="post",
            data=round_body,
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=User.objects.create(username="nobody"),
            ok=(201,),
        )
        rnd = Round.objects.get()
        assert (rnd.phase, rnd.method, rnd.phases.count()) == ("collect", "equal_shares", 7)

    def test_list_rounds_permission_matrix(self, client, cast, zhang):
        make_round(cast["lina"])
        self.assert_permission_matrix(client, url="/api/v1/microprojects/rounds", in_scope=cast["lina"])
        sign_in(client, cast["wangqiang"])
        assert client.get("/api/v1/microprojects/rounds").json() == []
        sign_in(client, cast["zhangwei"])
        (listed,) = client.get("/api/v1/microprojects/rounds").json()
        assert listed["area_name"] == "华富街道" and [p["phase"] for p in listed["phases"]][:3] == [
            "collect",
            "review",
            "vote",
        ]

    def test_proposal_permission_matrix(self, client, cast, zhang, outsider):
        rnd = make_round(cast["lina"])
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/microprojects/rounds/{rnd.pk}/proposals",
            method="post",
            data={"title": "增设长者休闲座椅", "description": "华富村口的公园缺少座椅"},
            in_scope=cast["zhangwei"],
            out_of_scope=outsider.user,
            no_role=User.objects.create(username="nobody"),
            missing_url="/api/v1/microprojects/rounds/999999/proposals",
            ok=(201,),
        )
        assert Proposal.objects.get(round=rnd).author == cast["zhangwei"]

    def test_ballot_permission_matrix(self, client, cast, zhang, outsider):
        rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"])
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/microprojects/rounds/{rnd.pk}/ballots",
            method="post",
            data={"choices": [a.pk]},
            in_scope=cast["zhangwei"],
            out_of_scope=outsider.user,
            no_role=User.objects.create(username="nobody"),
            missing_url="/api/v1/microprojects/rounds/999999/ballots",
            ok=(201,),
        )

    def test_results_permission_matrix(self, client, cast, zhang, outsider):
        rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"])
        services.ballot_cast_online(user=cast["zhangwei"], rnd=rnd, choices=[a.pk])
        services.round_advance(actor=cast["lina"], rnd=rnd)
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/microprojects/rounds/{rnd.pk}/results",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            missing_url="/api/v1/microprojects/rounds/999999/results",
        )
        sign_in(client, cast["zhangwei"])
        body = client.get(f"/api/v1/microprojects/rounds/{rnd.pk}/results").json()
        assert (body["method"], body["tie_break"], body["ballots"], body["online"], body["paper"]) == (
            "greedy",
            "votes_then_lower_price_then_earlier",
            1,
            1,
            0,
        )
        assert body["eligible"] >= 1 and body["winners"] == [a.pk]
        assert body["proposals"][0] == {
            "proposal": a.pk,
            "title": "项目1",
            "price": 30000,
            "votes": 1,
            "share": 100.0,
            "selected": True,
        }


def test_a_second_ballot_answers_409_and_a_retry_with_the_same_key_replays(client, cast, zhang):
    rnd, (a, b, _c) = round_in_vote(cast["lina"], cast["zhangwei"])
    sign_in(client, cast["zhangwei"])
    url = f"/api/v1/microprojects/rounds/{rnd.pk}/ballots"
    first = client.post(url, {"choices": [a.pk]}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(url, {"choices": [a.pk]}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["receipt"] == first.json()["receipt"]
    second = client.post(url, {"choices": [b.pk]}, content_type="application/json")
    assert second.status_code == 409
    assert second.json() == {"code": "already_voted", "message": "您已在本轮投过票。", "fields": {}}
    assert Ballot.objects.filter(round=rnd).count() == 1


def test_bad_ballots_are_refused_in_chinese_and_nothing_is_written(client, cast, zhang):
    rnd, proposals = round_in_vote(cast["lina"], cast["zhangwei"], max_approvals=2)
    sign_in(client, cast["zhangwei"])
    url = f"/api/v1/microprojects/rounds/{rnd.pk}/ballots"
    too_many = client.post(url, {"choices": [p.pk for p in proposals]}, content_type="application/json")
    assert too_many.status_code == 400 and too_many.json()["message"] == "您最多可以选择 2 个项目。"
    unknown = client.post(url, {"choices": [999999]}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "invalid_ballot"
    assert not Ballot.objects.filter(round=rnd).exists()


def test_a_proposal_after_collection_answers_409(client, cast, zhang):
    rnd, _p = round_in_vote(cast["lina"], cast["zhangwei"])
    sign_in(client, cast["zhangwei"])
    r = client.post(
        f"/api/v1/microprojects/rounds/{rnd.pk}/proposals",
        {"title": "晚到的提案", "description": "加装路灯"},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "collection_closed"
