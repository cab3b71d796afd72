"""Pages: a resident answers on the portal (a refused answer keeps what was typed), staff read rates and
results, publish, remind, close and export; each page's permission matrix."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.surveys.models import Response

from .factories import GOOD, communities, household_with_resident, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast):
    household_with_resident(communities()[0], cast["zhangwei"])
    household_with_resident(communities()[1])
    return make_survey(cast["lina"])


def nobody():
    return User.objects.create(username="nobody")


def form(answers):
    data = {}
    for k, v in answers.items():
        data[f"q{k}"] = v
    return data


class TestPortalPages(PermissionMatrixMixin):
    def test_my_surveys_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client, url="/surveys/", in_scope=cast["zhangwei"], page=True, sign_in_url="/accounts/resident/"
        )

    def test_answer_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url=f"/surveys/{survey.pk}/",
            in_scope=cast["zhangwei"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            page=True,
            sign_in_url="/accounts/resident/",
            missing_url="/surveys/999999/",
        )

    def test_answer_post_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url=f"/surveys/{survey.pk}/",
            method="post",
            data=form(GOOD),
            multipart=True,
            in_scope=cast["zhangwei"],
            out_of_scope=cast["wangqiang"],
            ok=(302,),
            page=True,
            sign_in_url="/accounts/resident/",
            missing_url="/surveys/999999/",
        )
        assert Response.objects.count() == 1

    def test_the_resident_answers_and_then_sees_that_his_household_has(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        page = client.get("/surveys/").content.decode()
        assert "2026年社区服务满意度调查" in page and "等待您的回答" in page
        r = client.post(f"/surveys/{survey.pk}/", form(GOOD), follow=True)
        text = r.content.decode()
        assert "谢谢，您的回答已记录。" in text and "您家已经回答了这份问卷" in text
        assert 'id="survey-form"' not in text

    def test_a_refused_answer_keeps_what_was_typed(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        r = client.post(f"/surveys/{survey.pk}/", form({"2": "参加过", "3": ["志愿服务"], "4": "多办活动"}))
        text = r.content.decode()
        assert r.status_code == 400 and "请回答第 1 题。" in text
        assert (
            'value="参加过" checked' in text
            and 'value="志愿服务" checked' in text
            and "多办活动</textarea>" in text
        )
        assert not Response.objects.exists()

    def test_a_second_answer_is_refused(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        client.post(f"/surveys/{survey.pk}/", form(GOOD))
        Response.objects.all().delete()  # even with the answers gone, the household's participation stays
        r = client.post(f"/surveys/{survey.pk}/", form(GOOD))
        assert r.status_code == 409 and "您家已经回答了这份问卷" in r.content.decode()
        assert not Response.objects.exists()


class TestConsolePages(PermissionMatrixMixin):
    def test_console_home_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client, url="/console/surveys/", in_scope=cast["lina"], no_role=nobody(), page=True
        )

    def test_console_survey_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url=f"/console/surveys/{survey.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            page=True,
            missing_url="/console/surveys/999999/",
        )

    def test_console_export_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url=f"/console/surveys/{survey.pk}/export/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            page=True,
            missing_url="/console/surveys/999999/export/",
        )

    def test_console_action_permission_matrix(self, client, cast, survey):
        self.assert_permission_matrix(
            client,
            url=f"/console/surveys/{survey.pk}/remind/",
            method="post",
            multipart=True,
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=nobody(),
            ok=(302,),
            page=True,
            missing_url="/console/surveys/999999/remind/",
        )

    def test_the_survey_page_shows_rates_per_community_and_results(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        client.post(f"/surveys/{survey.pk}/", form(GOOD))
        sign_in(client, cast["lina"])
        text = client.get(f"/console/surveys/{survey.pk}/").content.decode()
        _first, second = communities()[:2]
        assert "2 户受邀中已有 1 户回答（50%）" in text
        assert f"已覆盖 1 / {len(communities())} 个社区" in text
        assert "尚未覆盖" in text and second.name in text
        assert "平均" in text and "多办活动" in text

    def test_the_export_has_the_answers_and_no_respondent_when_anonymous(self, client, cast, survey):
        sign_in(client, cast["zhangwei"])
        client.post(f"/surveys/{survey.pk}/", form(GOOD))
        sign_in(client, cast["lina"])
        csv = client.get(f"/console/surveys/{survey.pk}/export/?format=csv").content.decode("utf-8-sig")
        assert "多办活动" in csv and "志愿服务" in csv and "zhangwei" not in csv and "回答人" not in csv
