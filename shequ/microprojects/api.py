"""/api/v1/microprojects: rounds (staff create, staff and residents list), proposals (residents of the area),
ballots (409 on a second), results (published with method, denominators and tie-break)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
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
from .results import result_out

router = Router(tags=["microprojects"])


class RoundIn(Schema):
    area: str = Field(max_length=32, description="the street's or community's area code")
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1, max_length=120)
    budget: int = Field(gt=0, description="yuan")
    ballot_kind: Literal["approval", "knapsack"]
    max_approvals: int = Field(3, ge=1, le=50)
    method: Literal["greedy", "equal_shares"]
    eligibility: Literal["resident", "household"]


class PhaseOut(Schema):
    phase: str
    starts_on: date
    ends_on: date
    actor: str


class RoundOut(Schema):
    id: int
    area: str
    area_name: str
    year: int
    title: str
    budget: int
    ballot_kind: str
    max_approvals: int
    method: str
    eligibility: str
    phase: str
    phases: list[PhaseOut]


class ProposalIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=2000)
    need: int | None = Field(None, description="the id of the need (三项清单) it answers")


class ProposalOut(Schema):
    id: int
    round: int
    title: str
    status: str
    need: int | None


class BallotIn(Schema):
    choices: list[int] = Field(min_length=1, max_length=200, description="the ids of the proposals chosen")


class BallotOut(Schema):
    round: int
    receipt: str
    channel: str


def _round_out(rnd) -> dict:
    return {
        "id": rnd.pk,
        "area": rnd.area.code,
        "area_name": rnd.area.name,
        "year": rnd.year,
        "title": rnd.title,
        "budget": rnd.budget,
        "ballot_kind": rnd.ballot_kind,
        "max_approvals": rnd.max_approvals,
        "method": rnd.method,
        "eligibility": rnd.eligibility,
        "phase": rnd.phase,
        "phases": [
            {"phase": p.phase, "starts_on": p.starts_on, "ends_on": p.ends_on, "actor": p.actor}
            for p in services.phase_plan(rnd)
        ],
    }


def _answer(request, work) -> JsonResponse:
    return once_response(request, work)


def _visible_round(user, pk: int):
    """Staff of the area, or a resident living in it; anyone else: 404."""
    rnd = (
        selectors.round_list_for(user=user).filter(pk=pk).first()
        or selectors.my_rounds(user=user).filter(pk=pk).first()
    )
    if rnd is None:
        raise NotFound(gettext("Not found."))
    return rnd


@router.get(
    "/microprojects/rounds",
    response={200: list[RoundOut], **errors(401, 403)},
    auth=PROTECTED,
    summary="Micro-project rounds",
)
def list_rounds(request: HttpRequest):
    """Staff: the rounds of their areas. Residents: the rounds of the street and community they live in."""
    rounds = selectors.round_list_for(user=request.user) | selectors.my_rounds(user=request.user)
    return [_round_out(r) for r in rounds.distinct().order_by("-year", "-pk")[:100]]


@router.post(
    "/microprojects/rounds",
    response={201: RoundOut, **errors(401, 403, 404, *CREATE)},
    auth=PROTECTED,
    summary="Open a micro-project round",
)
def create_round(request: HttpRequest, payload: RoundIn):
    """Staff (`microprojects.manage`) open a yearly round for a street or community of their areas, with the
    default phase plan of the year. An area outside their scope answers 404 like a missing one. Idempotency-Key."""
    if not can(request.user, Action.MICROPROJECTS_MANAGE):
        raise PermissionDenied
    area = selectors.areas_for(user=request.user).filter(code=payload.area).first()
    if area is None:
        raise NotFound(gettext("Not found."))

    def work():
        rnd = services.round_create(
            actor=request.user,
            area=area,
            year=payload.year,
            title=payload.title,
            budget=payload.budget,
            ballot_kind=payload.ballot_kind,
            method=payload.method,
            eligibility=payload.eligibility,
            max_approvals=payload.max_approvals,
        )
        return 201, _round_out(rnd)

    return _answer(request, work)


@router.post(
    "/microprojects/rounds/{round_id}/proposals",
    response={201: ProposalOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Propose a project (居民点菜)",
)
def create_proposal(request: HttpRequest, round_id: Id, payload: ProposalIn):
    """A verified resident of the round's area proposes a project while proposals are collected, freely or from a
    need. After the collection: 409. Idempotency-Key."""
    rnd = selectors.my_round_get(user=request.user, pk=round_id)
    need = None
    if payload.need is not None:
        from django.apps import apps

        need = get_object_or_404(apps.get_model("participation", "Need"), pk=payload.need)

    def work():
        p = services.proposal_submit(
            user=request.user, rnd=rnd, title=payload.title, description=payload.description, need=need
        )
        return 201, {"id": p.pk, "round": rnd.pk, "title": p.title, "status": p.status, "need": p.need_id}

    return _answer(request, work)


@router.post(
    "/microprojects/rounds/{round_id}/ballots",
    response={201: BallotOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Cast one's ballot",
)
def cast_ballot(request: HttpRequest, round_id: Id, payload: BallotIn):
    """An eligible resident's ballot: approval (at most the round's number) or knapsack (within the budget). The
    answer's `receipt` is the code to check later that the ballot is counted. A second ballot: 409; outside the
    voting phase: 409; outside the area or not verified: 403. Paper ballots are entered twice by staff in the
    console. Idempotency-Key: a retry answers the first receipt."""
    rnd = selectors.my_round_get(user=request.user, pk=round_id)

    def work():
        ballot = services.ballot_cast_online(user=request.user, rnd=rnd, choices=payload.choices)
        return 201, {"round": rnd.pk, "receipt": ballot.receipt, "channel": ballot.channel}

    return _answer(request, work)


@router.get(
    "/microprojects/rounds/{round_id}/results",
    response={200: dict, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="A round's result",
)
def get_results(request: HttpRequest, round_id: Id):
    """The published result: method, ballot kind, tie-break rule, denominators (eligible voters, ballots online and
    on paper), votes per proposal, winners and money. Before the count: `published: false` and no figures."""
    rnd = _visible_round(request.user, round_id)
    return result_out(rnd)
