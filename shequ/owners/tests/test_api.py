"""/api/v1/owner-votes: the permission matrix of each operation, bad input, Idempotency-Key."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.owners.models import Ballot, BallotRecord, Owner, Vote

from .factories import make_estate, open_vote, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(cast):
    return make_estate()


@pytest.fixture
def vote(cast, estate):
    owners = register(estate, owners=4)
    Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"])
    return open_vote(estate)


def vote_body(place, **extra):
    now = timezone.now()
    return {
        "estate": place.code,
        "title": "选聘物业服务企业",
        "convener": "residents_committee",
        "convener_name": "华富社区居民委员会",
        "opens_at": (now + timedelta(days=16)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "matters": [{"title": "选聘新物业", "item": 4}, {"title": "筹集维修资金", "item": 6}],
        **extra,
    }


class TestOwnerVoteEndpoints(PermissionMatrixMixin):
    def test_create_permission_matrix(self, client, cast, estate):
        register(estate, owners=2)
        self.assert_permission_matrix(
            client,
            url="/api/v1/owner-votes",
            method="post",
            data=lambda: vote_body(estate, publish=True),
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=User.objects.create(username="nobody"),
            ok=(201,),
        )
        vote = Vote.objects.get()
        assert vote.status == "published" and vote.roll.count() == 2 and vote.created_by == cast["lina"]
        # Out of scope answers exactly like an estate that does not exist.
        sign_in(client, cast["wangqiang"])
        outside = client.post("/api/v1/owner-votes", vote_body(estate), content_type="application/json")
        missing = client.post(
            "/api/v1/owner-votes", vote_body(estate, estate="4403049999999"), content_type="application/json"
        )
        assert outside.status_code == missing.status_code == 404 and outside.content == missing.content

    def test_ballot_permission_matrix(self, client, cast, vote):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/owner-votes/{vote.pk}/ballots",
            method="post",
            data={"choices": {"1": "yes", "2": "no"}},
            in_scope=cast["zhangwei"],
            out_of_scope=cast["wangqiang"],
            no_role=User.objects.create(username="nobody"),
            ok=(201,),
            missing_url="/api/v1/owner-votes/999999/ballots",
        )
        assert Ballot.objects.get().choices == {"1": "yes", "2": "no"}

    def test_result_permission_matrix(self, client, cast, vote):
        for user in (cast["lina"], cast["zhangwei"]):
            self.assert_permission_matrix(
                client,
                url=f"/api/v1/owner-votes/{vote.pk}/result",
                in_scope=user,
                out_of_scope=cast["wangqiang"],
                no_role=User.objects.create(username=f"nobody-{user.username}"),
                missing_url="/api/v1/owner-votes/999999/result",
            )


class TestBallotsThroughTheApi:
    def test_a_ballot_gives_receipts_and_a_retry_with_the_same_key_replays(self, client, cast, vote):
        sign_in(client, cast["zhangwei"])
        url = f"/api/v1/owner-votes/{vote.pk}/ballots"
        body = {"choices": {"1": "yes", "2": "abstain"}}
        first = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
        again = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
        assert first.status_code == again.status_code == 201
        assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
        assert first.json()["receipts"] == [Ballot.objects.get().receipt]
        assert BallotRecord.objects.count() == 1

    def test_a_second_ballot_is_a_409_and_nothing_is_written(self, client, cast, vote):
        sign_in(client, cast["zhangwei"])
        url = f"/api/v1/owner-votes/{vote.pk}/ballots"
        client.post(url, {"choices": {"1": "yes", "2": "yes"}}, content_type="application/json")
        second = client.post(url, {"choices": {"1": "no", "2": "no"}}, content_type="application/json")
        assert second.status_code == 409 and second.json()["code"] == "already_voted"
        assert "已" in second.json()["message"]
        assert Ballot.objects.get().choices == {"1": "yes", "2": "yes"} and BallotRecord.objects.count() == 1
        changed = client.post(
            url, {"choices": {"1": "no", "2": "no"}, "change": True}, content_type="application/json"
        )
        assert changed.status_code == 201 and Ballot.objects.get().choices == {"1": "no", "2": "no"}

    def test_a_proxy_through_the_api_without_authorisation_is_refused(self, client, cast, vote):
        sign_in(client, cast["zhangwei"])
        r = client.post(
            f"/api/v1/owner-votes/{vote.pk}/ballots",
            {"choices": {"1": "yes", "2": "yes"}, "channel": "proxy"},
            content_type="application/json",
        )
        assert r.status_code == 400 and r.json()["code"] == "authorisation_required"
        assert not Ballot.objects.exists()

    def test_a_ballot_after_the_close_is_refused(self, client, cast, vote):
        Vote.objects.filter(pk=vote.pk).update(
            opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1)
        )
        sign_in(client, cast["zhangwei"])
        r = client.post(
            f"/api/v1/owner-votes/{vote.pk}/ballots",
            {"choices": {"1": "yes", "2": "yes"}},
            content_type="application/json",
        )
        assert r.status_code == 409 and r.json()["code"] == "voting_closed" and not Ballot.objects.exists()

    def test_the_result_shows_denominators_participation_and_why(self, client, cast, vote):
        sign_in(client, cast["zhangwei"])
        client.post(
            f"/api/v1/owner-votes/{vote.pk}/ballots",
            {"choices": {"1": "yes", "2": "yes"}},
            content_type="application/json",
        )
        sign_in(client, cast["lina"])
        body = client.get(f"/api/v1/owner-votes/{vote.pk}/result").json()
        first = body["matters"][0]
        assert body["kind"] == "live"
        assert (first["total_area_m2"], first["total_heads"], first["voted_heads"]) == ("400.00", 4, 1)
        assert first["participation_area"] == "25.00%" and not first["passed"]
        assert first["reasons"] == ["quorum_area", "quorum_heads"]
        assert json.dumps(body, ensure_ascii=False).count("业主0") == 0  # no owner's name in a result
