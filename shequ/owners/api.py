"""/api/v1/owner-votes: open a vote (staff of the estate), cast a ballot (its owners), read a result (both)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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
from shequ.core.errors import NotFound, ShequError
from shequ.core.idempotency import once_response

from . import selectors, services
from .choices import Convener, Item
from .results import result_out

router = Router(tags=["owners"])


class MatterIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    item: int = Field(ge=1, le=9, description="Civil Code Art. 278 item (1–9)")


class VoteIn(Schema):
    estate: str = Field(max_length=32, description="the estate's area code")
    title: str = Field(min_length=1, max_length=120)
    convener: Literal["owners_committee", "preparatory_group", "street_office", "residents_committee"]
    convener_name: str = Field(min_length=1, max_length=100)
    opens_at: datetime
    closes_at: datetime
    matters: list[MatterIn] = Field(min_length=1, max_length=services.MAX_MATTERS)
    publish: bool = Field(
        False, description="publish the notice now (voting must open at least 15 days later)"
    )
    committee_consent: bool = False


class VoteCreated(Schema):
    id: int
    status: str
    phase: str
    matters: list[dict]


class BallotIn(Schema):
    choices: dict[str, Literal["yes", "no", "abstain"]] = Field(
        description='{"1": "yes", "2": "abstain"} by matter'
    )
    change: bool = Field(False, description="change the ballot already cast (until the close)")
    channel: Literal["online", "paper", "proxy"] = "online"


class BallotOut(Schema):
    parts: int
    receipts: list[str]
    channel: str


def _vote_out(vote) -> dict:
    return {
        "id": vote.pk,
        "status": vote.status,
        "phase": services.vote_phase(vote),
        "matters": [{"position": m.position, "title": m.title, "item": m.item} for m in vote.matters.all()],
    }


@router.post(
    "/owner-votes",
    response={201: VoteCreated, **errors(401, 403, 404, *CREATE)},
    auth=PROTECTED,
    summary="Open an owners' vote",
)
def create_vote(request: HttpRequest, payload: VoteIn):
    """Staff of the estate (`owners.manage`) open a vote for its owners. With `publish`, the notice goes out and
    the roll is fixed. An estate outside the caller's areas answers 404 like a missing one. Idempotency-Key."""
    if not can(request.user, Action.OWNERS_MANAGE):
        raise PermissionDenied
    # Read through the scoping selector: an estate outside the caller's areas is missing, like an unknown code.
    estate = selectors.estate_list_for(user=request.user).filter(code=payload.estate).first()
    if estate is None:
        raise NotFound(gettext("Not found."))

    def work():
        vote = services.vote_create(
            actor=request.user,
            estate=estate,
            title=payload.title,
            convener=Convener(payload.convener),
            convener_name=payload.convener_name,
            opens_at=payload.opens_at,
            closes_at=payload.closes_at,
            matters=[(m.title, Item(m.item)) for m in payload.matters],
            committee_consent=payload.committee_consent,
        )
        if payload.publish:
            vote = services.vote_publish(actor=request.user, vote=vote)
        return 201, _vote_out(vote)

    return _answer(request, work)


def _answer(request, work) -> JsonResponse:
    return once_response(request, work)


@router.post(
    "/owner-votes/{vote_id}/ballots",
    response={201: BallotOut, **errors(*PROTECTED_WRITE, *CREATE)},
    auth=PROTECTED,
    summary="Cast or change one's ballot",
)
def cast_ballot(request: HttpRequest, vote_id: Id, payload: BallotIn):
    """An owner on the vote's register casts his ballot for every part he holds (or changes it with `change`,
    until the close). Paper ballots and written proxies are entered by staff in the console, with the scan or the
    authorisation uploaded; asked for here they are refused. A second ballot for a part, a ballot after the close,
    or from an owner not on the roll: a clear error (409/403), nothing written. Idempotency-Key."""
    vote = selectors.my_vote_get(user=request.user, pk=vote_id)
    if payload.channel != "online":
        raise ShequError(
            gettext(
                "A written proxy needs the owner's authorisation uploaded: staff enter it in the console."
            )
            if payload.channel == "proxy"
            else gettext("Paper ballots are entered twice by staff in the console, with the scan."),
            code="authorisation_required" if payload.channel == "proxy" else "paper_in_console",
            fields={"channel": payload.channel},
        )

    def work():
        ballots = services.ballot_cast_online(
            user=request.user, vote=vote, choices=dict(payload.choices), change=payload.change
        )
        return 201, {"parts": len(ballots), "receipts": [b.receipt for b in ballots], "channel": "online"}

    return _answer(request, work)


@router.get(
    "/owner-votes/{vote_id}/result",
    response={200: dict, **errors(*PROTECTED_READ)},
    auth=PROTECTED,
    summary="A vote's result (live count while open)",
)
def get_result(request: HttpRequest, vote_id: Id):
    """The denominators (总面积, 总人数), participation and approval by area and by headcount, and why each matter
    passed or failed: the published result once there is one, else the live count. Staff of the estate and its
    owners; anyone else gets 404."""
    vote = selectors.vote_get_for_result(user=request.user, pk=vote_id)
    return result_out(vote)
