"""/api/v1/surveys: the permission matrix of each operation, bad input, a second answer, Idempotency-Key."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.surveys.models import Participation, Response, Survey

from .factories import GOOD, QUESTIONS, communities, household_with_resident, make_survey, street

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast):
    household_with_resident(communities()[0], cast["zhangwei"])
    household_with_resident(communities()[1])
    return make_survey(cast["lina"])


def body(**extra):
    now = timezone.now()
    return {
        "title": "社区服务满意度调查",
        "area": street().code,
        "kind": "satisfaction",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=10)).isoformat(),
        "questions": QUESTIONS,
        **extra,
    }


class TestSurveyEndpoints(PermissionMatrixMixin):
    def test_create_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url="/api/v1/surveys",
            method="post",
            data=lambda: body(publish=True, sampling="stratified", sample_size=1),
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=User.objects.create(username="nobody"),
            ok=(201,),
        )
        created = Survey.objects.exclude(pk=survey.pk).get()
        assert (
            created.status == "open" and created.invitations.count() == 2 and created.sample_seed is not None
        )

    def test_list_permission_matrix(self, client, cast, survey):
        # A list: anonymous is refused, a signed-in user sees only what his scope (or invitation) holds.
        self.assert_permission_matrix(client, url="/api/v1/surveys", in_scope=cast["lina"])
        sign_in(client, cast["lina"])
        assert [s["id"] for s in client.get("/api/v1/surveys").json()["results"]] == [survey.pk]
        sign_in(client, cast["wangqiang"])
        assert client.get("/api/v1/surveys").json()["results"] == []
        sign_in(client, cast["zhangwei"])
        mine = client.get("/api/v1/surveys").json()["results"]
        assert [(s["id"], s["answered"]) for s in mine] == [(survey.pk, False)] and "sample_seed" not in mine[
            0
        ]

    def test_response_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/surveys/{survey.pk}/responses",
            method="post",
            data={"answers": GOOD},
            in_scope=cast["zhangwei"],
            out_of_scope=cast["lina"],
            ok=(201,),
            missing_url="/api/v1/surveys/999999/responses",
        )
        assert Response.objects.count() == 1

    def test_results_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url=f"/api/v1/surveys/{survey.pk}/results",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=cast["zhangwei"],
            missing_url="/api/v1/surveys/999999/results",
        )

    def test_an_answer_outside_the_choices_is_a_clear_error_and_writes_nothing(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        r = client.post(
            f"/api/v1/surveys/{survey.pk}/responses",
            {"answers": {**GOOD, "2": "也许"}},
            content_type="application/json",
        )
        assert r.status_code == 400 and r.json()["code"] == "bad_answer"
        assert r.json()["message"] == "第 2 题的回答不在选项之中。"
        assert not Response.objects.exists() and not Participation.objects.exists()

    def test_a_second_answer_is_refused_and_a_retry_with_the_same_key_is_replayed(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        url = f"/api/v1/surveys/{survey.pk}/responses"
        first = client.post(
            url, {"answers": GOOD}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
        )
        retry = client.post(
            url, {"answers": GOOD}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1"
        )
        second = client.post(
            url, {"answers": GOOD}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2"
        )
        assert (
            first.status_code == 201 and retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
        )
        assert second.status_code == 409 and second.json()["code"] == "already_answered"
        assert Response.objects.count() == 1

    def test_results_show_rates_per_community(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        client.post(
            f"/api/v1/surveys/{survey.pk}/responses", {"answers": GOOD}, content_type="application/json"
        )
        sign_in(client, cast["lina"])
        data = client.get(f"/api/v1/surveys/{survey.pk}/results").json()
        assert (data["invited"], data["responded"], data["communities_reached"]) == (2, 1, 1)
        assert json.dumps(data["questions"][1]["counts"]) == "[1, 0]"
