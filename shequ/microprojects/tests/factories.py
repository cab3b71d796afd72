"""Rounds built through the services, as staff and residents would."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from shequ.geo.models import Area
from shequ.microprojects import services
from shequ.microprojects.choices import Phase
from shequ.microprojects.models import Round
from shequ.residents.models import Resident


def huafu() -> Area:
    return Area.objects.get(parent__code="440304", name="华富街道")


def verified(resident: Resident, user) -> Resident:
    """The community has verified the account under the resident's real name."""
    Resident.objects.filter(pk=resident.pk).update(user=user)
    resident.refresh_from_db()
    return resident


def this_year_plan() -> list[tuple[str, date, date]]:
    """Every phase spans today, so that a test can walk the whole round today."""
    today = timezone.localdate()
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    return [(p, start, end) for p in services.PHASE_ORDER]


def make_round(actor, *, area=None, ballot_kind="approval", method="greedy", budget=100_000, **kw) -> Round:
    return services.round_create(
        actor=actor,
        area=area or huafu(),
        year=timezone.localdate().year,
        title=kw.pop("title", "华富街道2026年民生微实事"),
        budget=budget,
        ballot_kind=ballot_kind,
        method=method,
        eligibility=kw.pop("eligibility", "resident"),
        max_approvals=kw.pop("max_approvals", 2),
        phases=kw.pop("phases", None) or this_year_plan(),
    )


def to_phase(rnd: Round, phase: str) -> Round:
    """Set the phase directly (tests only) to start a test in the middle of a round."""
    Round.objects.filter(pk=rnd.pk).update(phase=phase)
    rnd.refresh_from_db()
    return rnd


def round_in_vote(staff, proposer, prices=(30_000, 50_000, 40_000), **kw) -> tuple[Round, list]:
    rnd = make_round(staff, **kw)
    proposals = [
        services.proposal_submit(
            user=proposer, rnd=rnd, title=f"项目{i + 1}", description="加装休闲座椅与遮阳棚"
        )
        for i in range(len(prices))
    ]
    rnd = services.round_advance(actor=staff, rnd=rnd)
    for p, price in zip(proposals, prices, strict=True):
        services.proposal_review(actor=staff, proposal=p, feasible=True, price=price, feasibility="场地可用")
    rnd = services.round_advance(actor=staff, rnd=rnd)
    assert rnd.phase == Phase.VOTE
    return rnd, proposals
