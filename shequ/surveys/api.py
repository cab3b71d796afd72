"""/api/v1/surveys: list (staff: their areas' surveys; residents: those that ask them), create (staff), answer
(residents invited), results with response rates per community (staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from ninja import Router, Schema
from pydantic import Field

from shequ.access.api import PROTECTED
from shequ.access.scoping import can
from shequ.accounts.roles import Action
from shequ.core.api.errors import CREATE, PROTECTED_READ, PROTECTED_WRITE, errors
from shequ.core.api.types import Id
from shequ.core.errors import NotFound
from shequ.core.idempotency import once_response

from . import selectors, services

router = Router(tags=["surveys"])


class ShowIf(Schema):
    position: int = Field(ge=1, description="an earlier choice question")
    choice: str = Field(max_length=100)


class QuestionIn(Schema):
    kind: Literal["single", "multiple", "scale", "text"]
    text: str = Field(max_length=200)
    choices: list[str] = Field(default_factory=list, max_length=services.MAX_CHOICES)
    required: bool = True
    scale_max: int = Field(5, ge=2, le=10)
    measure: Literal["", "satisfaction", "company", "committee"] = ""
    show_if: ShowIf | None = Field(None, description="skip logic: asked only when that answer was chosen")


class SurveyIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    area: str = Field(max_length=32, description="the area code the survey is sent to")
    kind: Literal["general", "satisfaction", "property_evaluation", "service_evaluation"] = "general"
    description: str = Field("", max_length=2000)
    group: str = Field("", max_length=40, description="a resident tag's code: only that group")
    anonymous: bool = True
    per_household: bool = True
    sampling: Literal["all", "random", "stratified"] = "all"
    sample_size: int = Field(0, ge=0, le=100000, description="random: in all; stratified: per community")
    year: int | None = Field(None, ge=2000, le=2100)
    opens_at: datetime
    closes_at: datetime
    questions: list[QuestionIn] = Field(min_length=1, max_length=services.MAX_QUESTIONS)
    publish: bool = Field(False, description="publish now: draw the invitations and tell those invited")


class ResponseIn(Schema):
    answers: dict[str, Any] = Field(
        description='by question position: {"1": "满意", "2": ["A", "B"], "3": 4}'
    )


def _survey_out(survey, *, staff: bool) -> dict:
    out = {
        "id": survey.pk,
        "title": survey.title,
        "kind": survey.kind,
        "status": survey.status,
        "area": survey.area.code,
        "anonymous": survey.anonymous,
        "per_household": survey.per_household,
        "opens_at": survey.opens_at.isoformat(),
        "closes_at": survey.closes_at.isoformat(),
        "questions": [
            {
                "position": q.position,
                "kind": q.kind,
                "text": q.text,
                "choices": q.choices,
                "required": q.required,
                "scale_max": q.scale_max,
                "show_if": {"position": q.show_if_position, "choice": q.show_if_choice}
                if q.show_if_position
                else None,
            }
            for q in survey.questions.all()
        ],
    }
    if staff:
        out.update(
            {
                "sampling": survey.sampling,
                "sample_size": survey.sample_size,
                "sample_seed": survey.sample_seed,
            }
        )
    return out


def _answer(request, work) -> JsonResponse:
    return once_response(request, work)


@router.get("/surveys", response={200: dict, **errors(401, 403)}, auth=PROTECTED, summary="Surveys")
def list_surveys(request: HttpRequest):
    """Staff with `surveys.manage`: the surveys of their areas. Residents: the published surveys that ask their
    household (or them), with whether they have answered."""
    if can(request.user, Action.SURVEYS_MANAGE):
        surveys = list(selectors.survey_list_for(user=request.user).prefetch_related("questions")[:200])
        return {"results": [_survey_out(s, staff=True) for s in surveys]}
    surveys = list(selectors.my_surveys(user=request.user).prefetch_related("questions")[:200])
    invitations = selectors.my_invitations(user=request.user, surveys=surveys)
    return {
        "results": [
            {**_survey_out(s, staff=False), "answered": getattr(invitations.get(s.pk), "responded", False)}
            for s in surveys
        ]
    }


@router.post(
    "/surveys",
    response={201: dict, **errors(401, 403, 404, *CREATE)},
    auth=PROTECTED,
    summary="Create (and publish) a survey",
)
def create_survey(request: HttpRequest, payload: SurveyIn):
    """Staff with `surveys.manage` build a questionnaire for an area of theirs (an area outside them answers 404
    like an unknown code); with `publish`, the invitations are drawn and sent. Idempotency-Key."""
    if not can(request.user, Action.SURVEYS_MANAGE):
        raise PermissionDenied
    area = selectors.area_for(user=request.user, code=payload.area)
    if area is None:
        raise NotFound(gettext("Not found."))

    def work():
        survey = services.survey_create(
            actor=request.user,
            title=payload.title,
            area=area,
            kind=payload.kind,
            description=payload.description,
            group=payload.group,
            anonymous=payload.anonymous,
            per_household=payload.per_household,
            sampling=payload.sampling,
            sample_size=payload.sample_size,
            year=payload.year,
            opens_at=payload.opens_at,
            closes_at=payload.closes_at,
            questions=[
                {
                    **q.model_dump(exclude={"show_if"}),
                    "show_if": q.show_if.model_dump() if q.show_if else None,
                }
                for q in payload.questions
            ],
        )
        if payload.publish:
            survey = services.survey_publish(actor=request.user, survey=survey)
        return 201, _survey_out(survey, staff=True)

    return _answer(request, work)


@router.post(
    "/surveys/{survey_id}/responses",
    response={201: dict, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Answer a survey",
)
def submit_response(request: HttpRequest, survey_id: Id, payload: ResponseIn):
    """A resident whose household (or who) the survey asks answers it once. A second answer (409), an answer
    outside the choices or a required question left out (400), a closed survey (409): nothing written. A survey
    that does not ask the caller answers 404. Idempotency-Key."""
    survey = selectors.my_survey_get(user=request.user, pk=survey_id)

    def work():
        services.response_submit(user=request.user, survey=survey, answers=payload.answers)
        return 201, {"survey": survey.pk, "answered": True}

    return _answer(request, work)


@router.get(
    "/surveys/{survey_id}/results",
    response={200: dict, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="A survey's response rates and results",
)
def get_results(request: HttpRequest, survey_id: Id):
    """Staff of the survey's area: invited and answered per community (and the communities not reached yet), and
    the answers counted per question. Anyone else: 404."""
    survey = selectors.survey_get_for(user=request.user, pk=survey_id)
    rates = selectors.response_rates(survey)
    return {
        "id": survey.pk,
        "invited": rates.invited,
        "responded": rates.responded,
        "communities": rates.communities,
        "communities_reached": rates.reached,
        "not_reached": rates.not_reached,
        "by_community": [
            {"code": r.code, "name": r.name, "invited": r.invited, "responded": r.responded}
            for r in rates.rows
        ],
        "questions": selectors.survey_results(survey),
    }
