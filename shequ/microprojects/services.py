"""民生微实事 rounds from collection to disclosure. Every write is one transaction with its audit entry.

Ballots lock the round's row (SELECT … FOR UPDATE on PostgreSQL; SQLite's one writer lock): the chain's head is
read and moved under it. What makes a second ballot impossible is the unique (round, voter) constraint on
Participation: two ballots racing for one voter cannot both insert it, and the loser's transaction (with its
ballot) is rolled back whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import can_at
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.chain import chain_hash
from shequ.core.crypto import hash_lookup
from shequ.core.errors import NotFound, ShequError
from shequ.core.uploads import image_clean
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.residents.models import Resident

from . import engine
from .choices import (
    DEFAULT_ACTORS,
    PHASE_ORDER,
    BallotKind,
    Channel,
    Eligibility,
    Method,
    Phase,
    ProjectStatus,
    ProposalStatus,
)
from .models import (
    Acceptance,
    Ballot,
    Milestone,
    PaperEntry,
    Participation,
    Photo,
    Project,
    Proposal,
    Round,
    RoundPhase,
    Spending,
    ballot_payload,
)

MAX_PHOTOS = 6
MAX_BUDGET = 100_000_000  # yuan: a street's yearly micro-project budget is far below this


def _require_staff(actor, round_or_area) -> None:
    area = round_or_area.area if isinstance(round_or_area, Round) else round_or_area
    if not can_at(actor, Action.MICROPROJECTS_MANAGE, area.path):
        raise NotFound(gettext("Not found."))


def _audit(action: str, actor, rnd: Round, changes: dict | None = None) -> None:
    audit_record(
        action=f"microprojects.{action}", actor=actor, obj=rnd, object_repr=rnd.title[:200], changes=changes
    )


def _lock(rnd: Round) -> Round:
    return Round.objects.select_for_update().select_related("area").get(pk=rnd.pk)


def _wrong_phase(expected: str) -> ShequError:
    return ShequError(
        gettext("This is not possible now: the round is not in the phase “%(phase)s”.")
        % {"phase": Phase(expected).label},
        code="wrong_phase",
        status=409,
    )


# --- rounds --------------------------------------------------------------------------------------------------------


def default_phases(year: int) -> list[tuple[str, date, date]]:
    """A year's plan: collect in Q1, review in April, vote in May, approve in June, implement to October, accept in
    November, disclose in December."""
    spans = [
        (Phase.COLLECT, date(year, 1, 1), date(year, 3, 31)),
        (Phase.REVIEW, date(year, 4, 1), date(year, 4, 30)),
        (Phase.VOTE, date(year, 5, 1), date(year, 5, 31)),
        (Phase.APPROVE, date(year, 6, 1), date(year, 6, 30)),
        (Phase.IMPLEMENT, date(year, 7, 1), date(year, 10, 31)),
        (Phase.ACCEPT, date(year, 11, 1), date(year, 11, 30)),
        (Phase.DISCLOSE, date(year, 12, 1), date(year, 12, 31)),
    ]
    return [(str(p), s, e) for p, s, e in spans]


def round_create(
    *,
    actor,
    area: Area,
    year: int,
    title: str,
    budget: int,
    ballot_kind: str,
    method: str,
    eligibility: str,
    max_approvals: int = 3,
    phases: Sequence[tuple[str, date, date]] | None = None,
    synthetic: bool = False,
) -> Round:
    _require_staff(actor, area)
    fields: dict[str, str] = {}
    title = (title or "").strip()
    if not title or len(title) > 120:
        fields["title"] = gettext("Enter a title of at most 120 characters.")
    if area.level not in (AreaLevel.STREET, AreaLevel.COMMUNITY):
        fields["area"] = gettext("A round belongs to a street or a community.")
    if not (2000 <= int(year) <= 2100):
        fields["year"] = gettext("Enter a year such as 2026.")
    if not (0 < int(budget) <= MAX_BUDGET):
        fields["budget"] = gettext("Enter a budget in yuan greater than zero.")
    if ballot_kind not in BallotKind.values:
        fields["ballot_kind"] = gettext("Choose approval or knapsack ballots.")
    if method not in Method.values:
        fields["method"] = gettext("Choose greedy or Equal Shares.")
    if eligibility not in Eligibility.values:
        fields["eligibility"] = gettext("Choose who may vote.")
    if not (1 <= int(max_approvals) <= 50):
        fields["max_approvals"] = gettext("A voter may tick between 1 and 50 projects.")
    plan = list(phases or default_phases(int(year)))
    if [p for p, _s, _e in plan] != PHASE_ORDER:
        fields["phases"] = gettext("Give every phase once, in order.")
    elif any(e < s for _p, s, e in plan) or any(plan[i + 1][1] < plan[i][1] for i in range(len(plan) - 1)):
        fields["phases"] = gettext(
            "Each phase ends after it starts and starts no earlier than the one before."
        )
    if fields:
        raise ShequError(next(iter(fields.values())), code="invalid_round", fields=fields)
    with transaction.atomic():
        if Round.objects.filter(area=area, year=year, title=title).exists():
            raise ShequError(
                gettext("This area already has a round with this title for that year."),
                code="duplicate_round",
                status=409,
                fields={"title": "duplicate"},
            )
        rnd = Round.objects.create(
            area=area,
            year=year,
            title=title,
            budget=budget,
            ballot_kind=ballot_kind,
            method=method,
            eligibility=eligibility,
            max_approvals=max_approvals,
            created_by=actor,
            synthetic=synthetic,
        )
        RoundPhase.objects.bulk_create(
            RoundPhase(
                round=rnd,
                phase=p,
                position=i,
                starts_on=s,
                ends_on=e,
                actor=DEFAULT_ACTORS[Phase(p)],
                started_at=timezone.now() if i == 0 else None,
            )
            for i, (p, s, e) in enumerate(plan)
        )
        _audit(
            "round_create",
            actor,
            rnd,
            {"budget": budget, "ballot_kind": ballot_kind, "method": method, "eligibility": eligibility},
        )
    return rnd


def next_phase(rnd: Round) -> str | None:
    i = PHASE_ORDER.index(rnd.phase)
    return PHASE_ORDER[i + 1] if i + 1 < len(PHASE_ORDER) else None


def round_advance(*, actor, rnd: Round, now: datetime | None = None) -> Round:
    """Move the round to its next phase, once what its current phase must produce exists: every proposal
    reviewed, the count published, the winners approved with minutes, every project accepted."""
    _require_staff(actor, rnd)
    now = now or timezone.now()
    with transaction.atomic():
        rnd = _lock(rnd)
        target = next_phase(rnd)
        if target is None:
            raise ShequError(gettext("The round is already disclosed."), code="wrong_phase", status=409)
        if rnd.phase == Phase.COLLECT and not rnd.proposals.exists():
            raise ShequError(gettext("No proposal has been made yet."), code="nothing_to_review", status=409)
        if rnd.phase == Phase.REVIEW:
            if rnd.proposals.filter(status=ProposalStatus.SUBMITTED).exists():
                raise ShequError(
                    gettext("Review every proposal before voting opens."), code="unreviewed", status=409
                )
            if not rnd.proposals.filter(status=ProposalStatus.FEASIBLE).exists():
                raise ShequError(
                    gettext("No proposal is feasible: there is nothing to vote on."),
                    code="nothing_to_vote",
                    status=409,
                )
        if rnd.phase == Phase.VOTE:
            _publish_result(rnd, now)
        if rnd.phase == Phase.APPROVE and not rnd.meeting_minutes:
            raise ShequError(
                gettext("Record the street meeting's approval and its minutes first."),
                code="not_approved",
                status=409,
            )
        if rnd.phase == Phase.ACCEPT and rnd.projects.filter(acceptance__isnull=True).exists():
            raise ShequError(
                gettext("Every project needs its acceptance recorded first."), code="not_accepted", status=409
            )
        before = rnd.phase
        rnd.phase = target
        rnd.save(update_fields=["phase", "result", "result_published_at"])
        RoundPhase.objects.filter(round=rnd, phase=target).update(started_at=now)
        _audit("round_advance", actor, rnd, {"phase": [before, target]})
    return rnd


# --- proposals -----------------------------------------------------------------------------------------------------


def resident_of(user) -> Resident | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Resident.objects.filter(user=user).select_related("area", "household").first()


def _eligible_resident(user, rnd: Round) -> Resident:
    resident = resident_of(user)
    if resident is None:
        raise ShequError(
            gettext("Only residents verified by their community under their real name can take part."),
            code="not_verified",
            status=403,
        )
    if not resident.area.path.startswith(rnd.area.path):
        raise ShequError(
            gettext("You do not live in the area of this round."), code="outside_area", status=403
        )
    return resident


def voter_key(rnd: Round, resident: Resident) -> str:
    if rnd.eligibility == Eligibility.HOUSEHOLD:
        return f"h:{resident.household_id}"
    return f"r:{resident.pk}"


def proposal_submit(
    *, user, rnd: Round, title: str, description: str, need=None, synthetic: bool = False
) -> Proposal:
    """居民点菜: a resident of the area proposes a project while proposals are collected."""
    title, description = (title or "").strip(), (description or "").strip()
    fields = {}
    if not title or len(title) > 120:
        fields["title"] = gettext("Enter a title of at most 120 characters.")
    if not description or len(description) > 2000:
        fields["description"] = gettext("Describe the project in at most 2000 characters.")
    if need is not None and not need.area.path.startswith(rnd.area.path):
        fields["need"] = gettext("The need is not in this round's area.")
    if fields:
        raise ShequError(next(iter(fields.values())), code="invalid_proposal", fields=fields)
    with transaction.atomic():
        rnd = _lock(rnd)
        if rnd.phase != Phase.COLLECT:
            raise ShequError(
                gettext("Proposals are no longer collected for this round."),
                code="collection_closed",
                status=409,
            )
        _eligible_resident(user, rnd)
        proposal = Proposal.objects.create(
            round=rnd, title=title, description=description, author=user, synthetic=synthetic, need=need
        )
        _audit("proposal_submit", user, rnd, {"proposal": proposal.pk})
    return proposal


def proposal_review(
    *,
    actor,
    proposal: Proposal,
    feasible: bool,
    price: int | None = None,
    feasibility: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Proposal:
    """Feasibility review: a feasible proposal gets its price (it goes on the ballot); a rejected one its reason,
    which the proposer reads."""
    rnd = proposal.round
    _require_staff(actor, rnd)
    feasibility, reason = (feasibility or "").strip(), (reason or "").strip()
    if feasible:
        if price is None or not (0 < int(price) <= rnd.budget):
            raise ShequError(
                gettext("Enter the price in yuan: more than zero and within the round's budget."),
                code="invalid_review",
                fields={"price": "range"},
            )
        if not feasibility:
            raise ShequError(
                gettext("Write down why the project is feasible."),
                code="invalid_review",
                fields={"feasibility": "required"},
            )
    elif not reason:
        raise ShequError(
            gettext("Give the reason for the rejection: the proposer will read it."),
            code="invalid_review",
            fields={"reason": "required"},
        )
    with transaction.atomic():
        rnd = _lock(rnd)
        if rnd.phase != Phase.REVIEW:
            raise _wrong_phase(Phase.REVIEW)
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        proposal.status = ProposalStatus.FEASIBLE if feasible else ProposalStatus.REJECTED
        proposal.price = int(price) if feasible and price is not None else None
        proposal.feasibility = feasibility
        proposal.rejection_reason = "" if feasible else reason
        proposal.reviewed_by, proposal.reviewed_at = actor, now or timezone.now()
        proposal.save()
        _audit(
            "proposal_review",
            actor,
            rnd,
            {"proposal": proposal.pk, "status": proposal.status, "price": proposal.price},
        )
    return proposal


# --- ballots -------------------------------------------------------------------------------------------------------


def clean_choices(rnd: Round, choices: Iterable[Any]) -> list[int]:
    """The proposals chosen, checked against the round's ballot: feasible proposals of this round, at most
    `max_approvals` of them (approval), or costing at most the budget together (knapsack)."""
    try:
        chosen = sorted({int(c) for c in choices})
    except (TypeError, ValueError):
        raise ShequError(
            gettext("Choose projects from the ballot."), code="invalid_ballot", fields={"choices": "value"}
        ) from None
    if not chosen:
        raise ShequError(
            gettext("Choose at least one project."), code="invalid_ballot", fields={"choices": "empty"}
        )
    prices = dict(
        Proposal.objects.filter(round=rnd, status=ProposalStatus.FEASIBLE).values_list("pk", "price")
    )
    if any(c not in prices for c in chosen):
        raise ShequError(
            gettext("Choose projects from the ballot."), code="invalid_ballot", fields={"choices": "unknown"}
        )
    if rnd.ballot_kind == BallotKind.APPROVAL and len(chosen) > rnd.max_approvals:
        raise ShequError(
            gettext("You may choose at most %(n)d projects.") % {"n": rnd.max_approvals},
            code="too_many",
            fields={"choices": "too_many"},
        )
    if rnd.ballot_kind == BallotKind.KNAPSACK:
        total = sum(prices[c] or 0 for c in chosen)
        if total > rnd.budget:
            raise ShequError(
                gettext(
                    "The projects you chose cost %(total)s yuan, more than the budget of %(budget)s yuan."
                )
                % {"total": f"{total:,}", "budget": f"{rnd.budget:,}"},
                code="over_budget",
                fields={"choices": "over_budget"},
            )
    return chosen


def _already() -> ShequError:
    return ShequError(gettext("You have already voted in this round."), code="already_voted", status=409)


def _voting_open(rnd: Round, now: datetime) -> None:
    if rnd.phase != Phase.VOTE:
        raise ShequError(gettext("Voting is not open for this round."), code="voting_closed", status=409)
    plan = RoundPhase.objects.filter(round=rnd, phase=Phase.VOTE).first()
    today = timezone.localdate(now)
    if plan is not None and not (plan.starts_on <= today <= plan.ends_on):
        raise ShequError(gettext("Voting is not open for this round."), code="voting_closed", status=409)


def _cast(rnd: Round, voter: str, choices: list[int], channel: str, now: datetime) -> Ballot:
    """Under the round's lock: record that the voter voted, append the ballot to the chain, move the head."""
    try:
        with transaction.atomic():
            Participation.objects.create(round=rnd, voter=voter, channel=channel, on=timezone.localdate(now))
    except IntegrityError:  # the unique (round, voter): a second ballot, even one racing the first
        raise _already() from None
    seq = rnd.chain_seq + 1
    receipt = chain_hash(rnd.chain_hash, ballot_payload(rnd.pk, seq, choices, channel))
    ballot = Ballot.objects.create(
        round=rnd, seq=seq, choices=choices, channel=channel, prev_hash=rnd.chain_hash, receipt=receipt
    )
    Round.objects.filter(pk=rnd.pk).update(chain_seq=seq, chain_hash=receipt)
    rnd.chain_seq, rnd.chain_hash = seq, receipt
    return ballot


def ballot_cast_online(*, user, rnd: Round, choices: Iterable[Any], now: datetime | None = None) -> Ballot:
    """An eligible resident's own ballot; the answer's receipt is his code to check it later (shown once: the
    ballot does not say whose it is)."""
    now = now or timezone.now()
    with transaction.atomic():
        rnd = _lock(rnd)
        _voting_open(rnd, now)
        resident = _eligible_resident(user, rnd)
        chosen = clean_choices(rnd, choices)
        voter = voter_key(rnd, resident)
        if Participation.objects.filter(round=rnd, voter=voter).exists():
            raise _already()
        ballot = _cast(rnd, voter, chosen, Channel.ONLINE, now)
        _audit("ballot_cast", user, rnd, {"channel": Channel.ONLINE})  # not the choices: the ballot is secret
    return ballot


def has_voted(user, rnd: Round) -> bool:
    resident = resident_of(user)
    if resident is None:
        return False
    return Participation.objects.filter(round=rnd, voter=voter_key(rnd, resident)).exists()


def _paper_voter(rnd: Round, id_number: str) -> str:
    resident = (
        Resident.objects.filter(**hash_lookup(Resident, "id_number", id_number or ""))
        .select_related("area")
        .first()
    )
    if resident is None or not resident.area.path.startswith(rnd.area.path):
        raise ShequError(
            gettext("No resident of this round's area has this ID number."),
            code="outside_area",
            fields={"id_number": "unknown"},
        )
    return voter_key(rnd, resident)


def paper_entry_submit(
    *,
    actor,
    rnd: Round,
    batch: str,
    sheet: str,
    id_number: str,
    choices: Iterable[Any],
    now: datetime | None = None,
) -> PaperEntry | Ballot:
    """A paper ballot sheet entered by one member of staff waits for a second, different one to enter the same
    sheet: if both agree (voter and choices) it becomes a counted ballot; if not, the second entry is refused,
    nothing written, and the sheet must be looked at again."""
    _require_staff(actor, rnd)
    now = now or timezone.now()
    batch, sheet = (batch or "").strip()[:40], (sheet or "").strip()[:40]
    if not batch or not sheet:
        raise ShequError(
            gettext("Enter the batch and the sheet number written on the paper ballot."),
            code="invalid_paper",
            fields={"sheet": "required"},
        )
    with transaction.atomic():
        rnd = _lock(rnd)
        _voting_open(rnd, now)
        chosen = clean_choices(rnd, choices)
        voter = _paper_voter(rnd, id_number)
        if Participation.objects.filter(round=rnd, voter=voter).exists():
            raise ShequError(
                gettext("This resident has already voted in this round."), code="already_voted", status=409
            )
        first = PaperEntry.objects.filter(round=rnd, batch=batch, sheet=sheet).first()
        if first is None:
            if PaperEntry.objects.filter(round=rnd, voter=voter).exists():
                raise ShequError(
                    gettext("This resident's paper ballot is already entered under another sheet number."),
                    code="paper_mismatch",
                    status=409,
                )
            entry = PaperEntry.objects.create(
                round=rnd,
                batch=batch,
                sheet=sheet,
                voter=voter,
                choices=chosen,
                entered_by=actor,
                created_at=now,
            )
            _audit("paper_first", actor, rnd, {"batch": batch, "sheet": sheet})
            return entry
        if first.entered_by_id == actor.pk:
            raise ShequError(
                gettext("The second entry must be made by another member of staff."),
                code="same_clerk",
                status=409,
            )
        if (first.voter, first.choices) != (voter, chosen):
            raise ShequError(
                gettext("The two entries of this paper ballot differ: check the sheet and enter it again."),
                code="paper_mismatch",
                status=409,
            )
        ballot = _cast(rnd, voter, chosen, Channel.PAPER, now)
        first.delete()
        _audit("paper_reconciled", actor, rnd, {"batch": batch, "sheet": sheet})
    return ballot


# --- counting ------------------------------------------------------------------------------------------------------


def round_costs(rnd: Round) -> dict[int, int]:
    statuses = [ProposalStatus.FEASIBLE, ProposalStatus.SELECTED, ProposalStatus.NOT_SELECTED]
    rows = Proposal.objects.filter(round=rnd, status__in=statuses).values_list("pk", "price")
    return {pk: price or 0 for pk, price in rows}


def round_tally(rnd: Round) -> engine.Outcome:
    """The outcome from the stored ballots, online and paper together, by the method the round declared."""
    ballots = Ballot.objects.filter(round=rnd).values_list("choices", flat=True).iterator(chunk_size=5000)
    return engine.tally(method=rnd.method, budget=rnd.budget, costs=round_costs(rnd), ballots=ballots)


def result_snapshot(rnd: Round, outcome: engine.Outcome, now: datetime) -> dict[str, Any]:
    by_channel = dict(Participation.objects.filter(round=rnd).values_list("channel").annotate(n=Count("id")))
    eligible = _eligible_count(rnd)
    return {
        "method": outcome.method,
        "ballot_kind": rnd.ballot_kind,
        "max_approvals": rnd.max_approvals,
        "eligibility": rnd.eligibility,
        "tie_break": engine.TIE_BREAK,
        "budget": outcome.budget,
        "spent": outcome.spent,
        "ballots": outcome.voters,
        "online": by_channel.get(Channel.ONLINE, 0),
        "paper": by_channel.get(Channel.PAPER, 0),
        "eligible": eligible,
        "votes": {str(k): v for k, v in outcome.votes.items()},
        "winners": outcome.winners,
        "completion": outcome.completion,
        "chain_head": rnd.chain_hash,
        "chain_length": rnd.chain_seq,
        "at": now.isoformat(),
    }


def _eligible_count(rnd: Round) -> int:
    """The denominator: verified residents (or their households) of the area."""
    qs = Resident.objects.filter(area__path__startswith=rnd.area.path, user__isnull=False)
    if rnd.eligibility == Eligibility.HOUSEHOLD:
        return qs.values("household_id").distinct().count()
    return qs.count()


def _publish_result(rnd: Round, now: datetime) -> None:
    if PaperEntry.objects.filter(round=rnd).exists():
        raise ShequError(
            gettext("Some paper ballots are entered once only: enter them a second time before counting."),
            code="paper_pending",
            status=409,
        )
    outcome = round_tally(rnd)
    rnd.result = result_snapshot(rnd, outcome, now)
    rnd.result_published_at = now
    winners = set(outcome.winners)
    feasible = Proposal.objects.filter(round=rnd, status=ProposalStatus.FEASIBLE)
    feasible.filter(pk__in=winners).update(status=ProposalStatus.SELECTED)
    feasible.exclude(pk__in=winners).update(status=ProposalStatus.NOT_SELECTED)


# --- approval, implementation, acceptance --------------------------------------------------------------------------


def round_approve(*, actor, rnd: Round, meeting_date: date, minutes: str) -> list[Project]:
    """The street's meeting approves the winners: each becomes a project with its price as budget."""
    _require_staff(actor, rnd)
    minutes = (minutes or "").strip()
    if not minutes or len(minutes) > 5000:
        raise ShequError(
            gettext("Enter the meeting's minutes."), code="invalid_approval", fields={"minutes": "required"}
        )
    if meeting_date is None:
        raise ShequError(
            gettext("Enter the meeting's date."), code="invalid_approval", fields={"meeting_date": "required"}
        )
    with transaction.atomic():
        rnd = _lock(rnd)
        if rnd.phase != Phase.APPROVE:
            raise _wrong_phase(Phase.APPROVE)
        if rnd.meeting_minutes:
            raise ShequError(
                gettext("The meeting's approval is already recorded."), code="approved", status=409
            )
        winners = list(rnd.result["winners"]) if rnd.result else []
        proposals = {p.pk: p for p in Proposal.objects.filter(round=rnd, pk__in=winners)}
        projects = [
            Project.objects.create(proposal=proposals[pk], round=rnd, budget=proposals[pk].price or 0)
            for pk in winners
        ]
        rnd.meeting_date, rnd.meeting_minutes = meeting_date, minutes
        rnd.save(update_fields=["meeting_date", "meeting_minutes"])
        _audit(
            "round_approve",
            actor,
            rnd,
            {"projects": [p.pk for p in projects], "meeting_date": str(meeting_date)},
        )
    return projects


def _project_locked(project: Project, phases: Sequence[str]) -> Project:
    project = Project.objects.select_for_update().select_related("round__area", "proposal").get(pk=project.pk)
    if project.round.phase not in phases:
        raise _wrong_phase(phases[0])
    return project


def project_update(*, actor, project: Project, contractor: str) -> Project:
    _require_staff(actor, project.round)
    contractor = (contractor or "").strip()
    if not contractor or len(contractor) > 120:
        raise ShequError(
            gettext("Enter the contractor's name."), code="invalid_project", fields={"contractor": "required"}
        )
    with transaction.atomic():
        project = _project_locked(project, [Phase.IMPLEMENT])
        project.contractor = contractor
        project.status = ProjectStatus.IMPLEMENTING
        project.save(update_fields=["contractor", "status"])
        _audit("project_update", actor, project.round, {"project": project.pk, "contractor": contractor})
    return project


def milestone_add(*, actor, project: Project, title: str, progress: int, on: date) -> Milestone:
    _require_staff(actor, project.round)
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ShequError(
            gettext("Name the milestone."), code="invalid_milestone", fields={"title": "required"}
        )
    if not (0 <= int(progress) <= 100):
        raise ShequError(
            gettext("Progress is between 0 and 100 percent."),
            code="invalid_milestone",
            fields={"progress": "range"},
        )
    with transaction.atomic():
        project = _project_locked(project, [Phase.IMPLEMENT])
        if int(progress) < project.progress:
            raise ShequError(
                gettext("Progress cannot go back: it is already %(p)d%%.") % {"p": project.progress},
                code="invalid_milestone",
                fields={"progress": "backwards"},
            )
        milestone = Milestone.objects.create(
            project=project, title=title, progress=int(progress), on=on, recorded_by=actor
        )
        project.progress = int(progress)
        if project.status == ProjectStatus.APPROVED:
            project.status = ProjectStatus.IMPLEMENTING
        project.save(update_fields=["progress", "status"])
        _audit("milestone_add", actor, project.round, {"project": project.pk, "progress": int(progress)})
    return milestone


def spending_record(*, actor, project: Project, amount: int, purpose: str, on: date) -> Spending:
    """A payment against the project's budget; one that would take the total past the budget is refused."""
    _require_staff(actor, project.round)
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 200:
        raise ShequError(
            gettext("Say what was paid for."), code="invalid_spending", fields={"purpose": "required"}
        )
    if int(amount) <= 0:
        raise ShequError(
            gettext("Enter an amount in yuan greater than zero."),
            code="invalid_spending",
            fields={"amount": "range"},
        )
    with transaction.atomic():
        project = _project_locked(project, [Phase.IMPLEMENT, Phase.ACCEPT])
        if project.spent + int(amount) > project.budget:
            raise ShequError(
                gettext(
                    "This payment would take spending to %(total)s yuan, past the budget of %(budget)s yuan."
                )
                % {"total": f"{project.spent + int(amount):,}", "budget": f"{project.budget:,}"},
                code="over_budget",
                fields={"amount": "over_budget"},
            )
        spending = Spending.objects.create(
            project=project, amount=int(amount), purpose=purpose, on=on, recorded_by=actor
        )
        project.spent += int(amount)
        project.save(update_fields=["spent"])
        _audit("spending_record", actor, project.round, {"project": project.pk, "amount": int(amount)})
    return spending


def acceptance_record(
    *,
    actor,
    project: Project,
    representatives: str,
    rating: int,
    accepted: bool,
    opinion: str,
    on: date,
    photos: Sequence[IO[bytes]] = (),
) -> Acceptance:
    """验收 by the residents' representatives: their names, a rating from 1 to 5, their opinion and photos."""
    _require_staff(actor, project.round)
    representatives, opinion = (representatives or "").strip(), (opinion or "").strip()
    fields = {}
    if not representatives or len(representatives) > 200:
        fields["representatives"] = gettext("Enter the names of the residents' representatives.")
    if not (1 <= int(rating) <= 5):
        fields["rating"] = gettext("Rate from 1 to 5.")
    if not opinion or len(opinion) > 2000:
        fields["opinion"] = gettext("Write down the representatives' opinion.")
    if len(photos) > MAX_PHOTOS:
        fields["photos"] = gettext("At most %(n)d photos.") % {"n": MAX_PHOTOS}
    if fields:
        raise ShequError(next(iter(fields.values())), code="invalid_acceptance", fields=fields)
    # Check every photo before writing anything: one bad file refuses the whole acceptance.
    images = [image_clean(p, code="invalid_photo", field_name="photos") for p in photos]
    with transaction.atomic():
        project = _project_locked(project, [Phase.ACCEPT])
        if Acceptance.objects.filter(project=project).exists():
            raise ShequError(
                gettext("This project's acceptance is already recorded."), code="accepted", status=409
            )
        acceptance = Acceptance.objects.create(
            project=project,
            representatives=representatives,
            rating=int(rating),
            accepted=accepted,
            opinion=opinion,
            on=on,
            recorded_by=actor,
        )
        for image in images:
            Photo.objects.create(
                acceptance=acceptance,
                file=ContentFile(image.content, name=image.name),
                content_type=image.content_type,
                size=len(image.content),
                uploaded_by=actor,
            )
        project.status = ProjectStatus.ACCEPTED if accepted else ProjectStatus.FAILED
        if accepted:
            project.progress = 100
        project.save(update_fields=["status", "progress"])
        _audit(
            "acceptance_record",
            actor,
            project.round,
            {"project": project.pk, "rating": int(rating), "accepted": accepted, "photos": len(images)},
        )
    return acceptance


def phase_plan(rnd: Round) -> list[RoundPhase]:
    return list(RoundPhase.objects.filter(round=rnd).order_by("position"))


def vote_window(rnd: Round) -> tuple[date, date] | None:
    plan = RoundPhase.objects.filter(round=rnd, phase=Phase.VOTE).first()
    return (plan.starts_on, plan.ends_on) if plan else None
