"""Surveys: the builder's checks, sampling reproducible from the seed, answering once, skip logic, anonymity,
reminders, response rates per community, satisfaction with appeals' ratings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.messages.models import Message
from shequ.surveys import selectors, services
from shequ.surveys.models import Invitation, Participation, Response, Survey

from .factories import GOOD, communities, household_with_resident, make_survey, street

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(cast):
    """张伟's household and three more in 华富's first community, two in its second."""
    first, second = communities()[:2]
    zhang = household_with_resident(first, cast["zhangwei"])
    others = [household_with_resident(first) for _ in range(3)] + [
        household_with_resident(second) for _ in range(2)
    ]
    return zhang, others


class TestBuilder:
    def test_a_choice_question_needs_two_different_choices(self, cast):
        bad = [{"kind": "single", "text": "是否满意", "choices": ["是", "是"]}]
        with pytest.raises(ShequError) as e:
            make_survey(cast["lina"], questions=bad, publish=False)
        assert "2" in e.value.message and e.value.fields == {"questions": {"1": "choices"}}
        assert not Survey.objects.exists()

    def test_skip_logic_must_point_to_a_choice_of_an_earlier_question(self, cast):
        bad = [
            {"kind": "single", "text": "是否参加", "choices": ["是", "否"]},
            {"kind": "text", "text": "为什么", "show_if": {"position": 1, "choice": "也许"}},
        ]
        with pytest.raises(ShequError) as e:
            make_survey(cast["lina"], questions=bad, publish=False)
        assert e.value.fields == {"questions": {"2": "show_if"}}
        assert not Survey.objects.exists()

    def test_a_survey_outside_the_staff_members_areas_is_not_found(self, cast, homes):
        with pytest.raises(ShequError) as e:
            make_survey(cast["wangqiang"], publish=False)
        assert e.value.status == 404 and not Survey.objects.exists()

    def test_the_builder_keeps_kinds_choices_and_skip_logic(self, cast, homes):
        survey = make_survey(cast["lina"], publish=False)
        third = survey.questions.get(position=3)
        assert (third.kind, third.choices, third.show_if_position, third.show_if_choice) == (
            "multiple",
            ["文体活动", "志愿服务", "长者饭堂"],
            2,
            "参加过",
        )
        assert survey.questions.get(position=1).measure == "satisfaction"


class TestSampling:
    UNITS = [(i, "c1" if i % 3 else "c2") for i in range(1, 61)]

    def test_a_draw_with_the_same_seed_is_the_same(self):
        one = services.sample_draw(self.UNITS, sampling="random", size=10, seed=42)
        again = services.sample_draw(list(reversed(self.UNITS)), sampling="random", size=10, seed=42)
        other = services.sample_draw(self.UNITS, sampling="random", size=10, seed=43)
        assert one == again and len(one) == 10 and one != other

    def test_a_stratified_draw_takes_the_size_from_every_community(self):
        drawn = services.sample_draw(self.UNITS, sampling="stratified", size=5, seed=1)
        assert sorted(c for _, c in drawn) == ["c1"] * 5 + ["c2"] * 5
        small = services.sample_draw(self.UNITS, sampling="stratified", size=30, seed=1)
        assert [c for _, c in small].count("c2") == 20  # all of a smaller community

    def test_publishing_stores_the_seed_and_the_invitations_can_be_drawn_again(self, cast, homes):
        survey = make_survey(cast["lina"], sampling="stratified", sample_size=2, seed=99)
        invited = sorted(Invitation.objects.filter(survey=survey).values_list("household_id", flat=True))
        assert survey.sample_seed == 99 and len(invited) == 4  # 2 of 4 in the first community, 2 of 2
        again = services.sample_draw(services._units(survey), sampling="stratified", size=2, seed=99)
        assert sorted(pk for pk, _ in again) == invited


class TestAnswering:
    def test_an_invited_household_answers_once_and_the_second_is_refused(self, cast, homes):
        survey = make_survey(cast["lina"])
        response = services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        assert response.answers == {"1": 5, "2": "参加过", "3": ["志愿服务"], "4": "多办活动"}
        with pytest.raises(ShequError) as e:
            services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        assert (
            e.value.status == 409 and "已经" in str(e.value.message)
        ) or e.value.code == "already_answered"
        assert Response.objects.count() == 1 and Participation.objects.count() == 1

    def test_another_member_of_the_household_cannot_answer_again(self, cast, homes, make_user):
        zhang, _ = homes
        survey = make_survey(cast["lina"])
        services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        spouse = household_with_resident(zhang.household.area)
        from shequ.residents.models import Resident

        spouse_user = make_user("spouse")
        Resident.objects.filter(pk=spouse.pk).update(household=zhang.household, user=spouse_user)
        with pytest.raises(ShequError) as e:
            services.response_submit(user=spouse_user, survey=survey, answers=GOOD)
        assert e.value.code == "already_answered" and Response.objects.count() == 1

    def test_an_answer_outside_the_choices_is_refused_and_nothing_is_written(self, cast, homes):
        survey = make_survey(cast["lina"])
        for answers, field in (
            ({**GOOD, "2": "也许"}, "choice"),
            ({**GOOD, "3": ["旅游"]}, "choice"),
            ({**GOOD, "1": 6}, "scale"),
            ({**GOOD, "9": "x"}, "unknown"),
            ({"2": "没参加过"}, "required"),
        ):
            with pytest.raises(ShequError) as e:
                services.response_submit(user=cast["zhangwei"], survey=survey, answers=answers)
            assert field in str(e.value.fields), (answers, e.value.fields)
        assert not Response.objects.exists() and not Participation.objects.exists()
        assert not Invitation.objects.filter(responded=True).exists()

    def test_a_question_skipped_by_the_skip_logic_keeps_no_answer(self, cast, homes):
        survey = make_survey(cast["lina"])
        response = services.response_submit(
            user=cast["zhangwei"], survey=survey, answers={"1": "4", "2": "没参加过", "3": ["文体活动"]}
        )
        assert response.answers == {"1": 4, "2": "没参加过"}

    def test_a_household_not_invited_gets_not_found(self, cast, homes, make_user):
        survey = make_survey(cast["lina"], area=communities()[1])  # 张伟 lives in the first
        with pytest.raises(ShequError) as e:
            services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        assert e.value.status == 404 and not Response.objects.exists()

    def test_a_closed_survey_takes_no_answer(self, cast, homes):
        survey = make_survey(cast["lina"])
        services.survey_close(actor=cast["lina"], survey=survey)
        survey.refresh_from_db()
        with pytest.raises(ShequError) as e:
            services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        assert e.value.code == "not_open" and not Response.objects.exists()

    def test_an_anonymous_response_carries_nothing_that_leads_to_the_person(self, cast, homes):
        survey = make_survey(cast["lina"])
        response = services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        assert response.respondent is None and not hasattr(response, "household")
        assert response.submitted_on == timezone.localdate()
        entry = AuditEntry.objects.filter(action="surveys.response_submit").get()
        assert str(response.pk) not in str(entry.changes)

    def test_a_named_response_keeps_the_respondent(self, cast, homes):
        survey = make_survey(cast["lina"], anonymous=False)
        response = services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        assert response.respondent == cast["zhangwei"]


class TestRatesAndReminders:
    def test_publishing_tells_the_invited_and_a_reminder_goes_only_to_those_who_have_not_answered(
        self, cast, homes, make_user
    ):
        _zhang, others = homes
        from shequ.residents.models import Resident

        neighbour = make_user("neighbour")
        Resident.objects.filter(pk=others[0].pk).update(user=neighbour)
        survey = make_survey(cast["lina"])
        assert Message.objects.filter(person=cast["zhangwei"], kind="survey.invited").count() == 1
        services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        assert services.survey_remind(actor=cast["lina"], survey=survey) == 1
        assert list(Message.objects.filter(kind="survey.reminder").values_list("person", flat=True)) == [
            neighbour.pk
        ]

    def test_response_rates_per_community_and_the_communities_not_reached(self, cast, homes):
        survey = make_survey(cast["lina"])
        services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        rates = selectors.response_rates(survey)
        first, second = communities()[:2]
        by_code = {r.code: r for r in rates.rows}
        assert (by_code[first.code].invited, by_code[first.code].responded) == (4, 1)
        assert (by_code[second.code].invited, by_code[second.code].responded) == (2, 0)
        assert rates.reached == 1 and rates.communities == len(communities())
        assert second.name in rates.not_reached and first.name not in rates.not_reached

    def test_results_count_each_choice_and_the_scale_mean(self, cast, homes, make_user):
        _zhang, others = homes
        from shequ.residents.models import Resident

        neighbour = make_user("neighbour")
        Resident.objects.filter(pk=others[0].pk).update(user=neighbour)
        survey = make_survey(cast["lina"])
        services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)
        services.response_submit(user=neighbour, survey=survey, answers={"1": 2, "2": "没参加过"})
        results = {q["position"]: q for q in selectors.survey_results(survey)}
        assert results[1]["counts"] == [0, 1, 0, 0, 1] and results[1]["mean"] == 3.5
        assert results[2]["pairs"] == [("参加过", 1), ("没参加过", 1)]
        assert results[3]["answered"] == 1 and results[4]["texts"] == ["多办活动"]

    def test_satisfaction_per_community_weighs_surveys_and_appeal_ratings(self, cast, homes):
        from shequ.appeals.models import KpiAreaDaily

        survey = make_survey(cast["lina"])
        services.response_submit(user=cast["zhangwei"], survey=survey, answers=GOOD)  # 5 of 5 → 100
        first = communities()[0]
        today = timezone.localdate()
        KpiAreaDaily.objects.create(day=today, area=first, area_path=first.path, rated=3, satisfied=0)
        rows = {
            r.code: r
            for r in selectors.satisfaction_by_community(
                area=street(), since=today - timedelta(days=1), until=today
            )
        }
        row = rows[first.code]
        assert (row.survey_score, row.survey_answers, row.appeal_score, row.appeal_ratings) == (
            100.0,
            1,
            0.0,
            3,
        )
        assert row.combined == 25.0  # (100 × 1 + 0 × 3) / 4


def test_a_fresh_draw_seed_never_reads_as_personal_data(monkeypatch):
    """A seed is shown on the survey's page: one that passes the bank-card check is drawn again (the leak scan
    failed a test one time in ten on such a seed)."""
    from shequ.surveys import services as surveys

    card_like = 3973150012648566287  # 19 digits, passes Luhn: read as a bank card
    plain = 3973150012648566288
    draws = iter([card_like, plain])
    monkeypatch.setattr(surveys.secrets, "randbits", lambda bits: next(draws))
    assert surveys.personal_data_in(str(card_like))
    assert surveys._fresh_seed() == plain


def test_a_survey_for_a_group_invites_only_its_households_and_them_once(cast):
    """Targeting by group (a resident tag): only households with a member in the group are invited, once each
    however many members they have there, per household or per person as the survey says."""
    from shequ.residents.models import Tag

    tag, _ = Tag.objects.get_or_create(
        code="volunteer-family", defaults={"name": "志愿者家庭", "vulnerable": False}
    )
    first, second = communities()[:2]
    in_group = household_with_resident(first, tags=[tag.code])
    other = household_with_resident(second)  # not in the group
    also = household_with_resident(second, tags=[tag.code])
    survey = make_survey(cast["lina"], group=tag.code, title="志愿者家庭需求调查")
    invited = set(Invitation.objects.filter(survey=survey).values_list("household_id", flat=True))
    assert invited == {in_group.household_id, also.household_id}
    assert other.household_id not in invited
    # Per person: the group's residents, not their households' other members.
    per_person = make_survey(cast["lina"], group=tag.code, per_household=False, title="志愿者个人调查")
    people = set(Invitation.objects.filter(survey=per_person).values_list("resident_id", flat=True))
    assert people == {in_group.pk, also.pk}
