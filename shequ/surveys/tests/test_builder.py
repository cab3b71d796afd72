"""The questionnaire builder (console): a survey with choice, scale and text questions and skip logic, saved as a
draft or published at once; a refused one writes nothing and keeps what was typed, each reason at its question;
only the user's areas and the groups he may see are offered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequ.access.scoping import areas_in_scope
from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.audit.models import AuditEntry
from shequ.residents.models import Tag
from shequ.surveys.models import Invitation, Question, Survey

from .factories import communities, household_with_resident

pytestmark = pytest.mark.django_db

URL = "/console/surveys/new/"


def management(total: int = 12) -> dict:
    return {
        "q-TOTAL_FORMS": str(total),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "12",
    }


def post(area, *questions, **survey) -> dict:
    now = timezone.localtime()
    data = {
        "title": "社区长者食堂满意度调查",
        "kind": "satisfaction",
        "area": area.code,
        "description": "请花两分钟告诉我们您的看法。",
        "group": "",
        "sampling": "all",
        "sample_size": "",
        "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "year": "",
        "anonymous": "on",
        "per_household": "on",
        **management(),
        **survey,
    }
    for i, q in enumerate(questions):
        for k, v in q.items():
            data[f"q-{i}-{k}"] = v
    return data


SCALE = {
    "kind": "scale",
    "text": "您对长者食堂的总体满意度",
    "scale_max": "5",
    "measure": "satisfaction",
    "required": "on",
}
SINGLE = {
    "kind": "single",
    "text": "您在长者食堂用过餐吗",
    "choices": "用过\n没用过",
    "scale_max": "5",
    "required": "on",
}
MULTIPLE = {
    "kind": "multiple",
    "text": "您最看重哪些方面",
    "choices": "价格\n口味\n卫生",
    "scale_max": "5",
    "show_if_position": "2",
    "show_if_choice": "用过",
    "required": "on",
}
TEXT = {"kind": "text", "text": "您的建议", "scale_max": "5"}


def street_of(user):
    return areas_in_scope(user, Action.SURVEYS_MANAGE, levels=["street"]).first()


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_builder_page(self, client, cast):
        self.assert_permission_matrix(
            client, url=URL, in_scope=cast["lina"], no_role=User.objects.create(username="nobody"), page=True
        )

    def test_builder_post(self, client, cast):
        area = street_of(cast["lina"])
        self.assert_permission_matrix(
            client,
            url=URL,
            method="post",
            data=post(area, SCALE),
            multipart=True,
            in_scope=cast["lina"],
            no_role=User.objects.create(username="nobody"),
            ok=(302,),
            page=True,
        )


def test_a_draft_keeps_its_questions_in_order_with_the_skip_logic_and_is_audited(client, cast):
    lina = cast["lina"]
    area = street_of(lina)
    sign_in(client, lina)
    # Empty rows between the questions are ignored; the positions follow the questions that were filled in.
    r = client.post(URL, post(area, SCALE, {}, SINGLE, MULTIPLE, TEXT), follow=True)
    page = r.content.decode()
    assert r.status_code == 200 and "已保存为草稿" in page, page[:400]
    survey = Survey.objects.get(title="社区长者食堂满意度调查")
    assert (survey.status, survey.area, survey.kind, survey.anonymous, survey.per_household) == (
        "draft",
        area,
        "satisfaction",
        True,
        True,
    )
    got = [
        (q.position, q.kind, q.choices, q.required, q.show_if_position, q.show_if_choice)
        for q in Question.objects.filter(survey=survey).order_by("position")
    ]
    assert got == [
        (1, "scale", [], True, None, ""),
        (2, "single", ["用过", "没用过"], True, None, ""),
        (3, "multiple", ["价格", "口味", "卫生"], True, 2, "用过"),
        (4, "text", [], False, None, ""),
    ]
    assert not Invitation.objects.filter(survey=survey).exists()
    assert AuditEntry.objects.filter(action="surveys.survey_create", object_id=str(survey.pk)).exists()


def test_save_and_publish_invites_the_households_of_the_area(client, cast):
    lina = cast["lina"]
    area = street_of(lina)
    for community in communities(area.name)[:2]:
        household_with_resident(community)
    sign_in(client, lina)
    r = client.post(URL, {**post(area, SCALE, SINGLE), "publish": "1"}, follow=True)
    assert "问卷已发布" in r.content.decode()
    survey = Survey.objects.get(title="社区长者食堂满意度调查")
    assert survey.status == "open"
    assert Invitation.objects.filter(survey=survey).count() >= 2


def test_a_refused_questionnaire_writes_nothing_keeps_what_was_typed_and_names_the_question(client, cast):
    lina = cast["lina"]
    area = street_of(lina)
    sign_in(client, lina)
    one_choice = {**SINGLE, "choices": "用过"}
    r = client.post(URL, post(area, SCALE, one_choice))
    page = r.content.decode()
    assert r.status_code == 400 and not Survey.objects.exists()
    assert "第 2 题" in page and 'id="id_q-1-choices_error"' in page
    assert 'value="社区长者食堂满意度调查"' in page and "您在长者食堂用过餐吗" in page
    # Skip logic may point only back at a choice question, at one of its choices.
    wrong_skip = {**MULTIPLE, "show_if_choice": "从来没有"}
    r = client.post(URL, post(area, SCALE, SINGLE, wrong_skip))
    assert r.status_code == 400 and 'id="id_q-2-show_if_position_error"' in r.content.decode()
    # No question at all, and a survey that closes before it opens.
    r = client.post(URL, post(area))
    assert r.status_code == 400 and "问卷应有" in r.content.decode()
    now = timezone.localtime()
    r = client.post(URL, post(area, SCALE, closes_at=(now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")))
    assert r.status_code == 400 and 'id="id_closes_at_error"' in r.content.decode()
    assert not Survey.objects.exists()


def test_only_the_users_areas_and_the_groups_he_may_see_are_offered(client, cast):
    lina = cast["lina"]
    sign_in(client, lina)
    Tag.objects.get_or_create(code="volunteer-family", defaults={"name": "志愿者家庭", "vulnerable": False})
    Tag.objects.get_or_create(code="dibao", defaults={"name": "低保", "vulnerable": True})
    page = client.get(URL).content.decode()
    mine = list(areas_in_scope(lina, Action.SURVEYS_MANAGE, levels=["street", "community"]))
    assert mine and all(f'value="{a.code}"' in page for a in mine)
    assert 'value="440303"' not in page  # 罗湖区: not hers
    assert "志愿者家庭" in page
    from shequ.access.scoping import can

    assert ("低保" in page) == can(lina, Action.CARE_GROUPS_VIEW)
    # An area outside her grants, typed into the POST, is refused as unknown and writes nothing.
    from shequ.geo.models import Area

    other = Area.objects.get(code="440303")
    r = client.post(URL, post(other, SCALE))
    assert r.status_code == 400 and not Survey.objects.exists()
