"""民生微实事 (plan 5.2 "居民点菜"): a yearly round per street or community with a budget, its phases as data,
residents' proposals, their review, ballots (online and paper, hash-chained), the winners approved by the street's
meeting, and each winner's implementation, spending, acceptance (验收) and public disclosure (公示).

Secrecy: who has voted (Participation: one row per eligible voter, unique per round, the database refuses a second)
and what was voted (Ballot: the choices, chained, with the receipt) are two tables with no link between them. Staff
can see that a resident voted, not how; the voter keeps the receipt code and can check that it is counted.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.chain import GENESIS_HASH, chain_hash
from shequ.geo.models import Area

from .choices import (
    Actor,
    BallotKind,
    Channel,
    Eligibility,
    Method,
    Phase,
    ProjectStatus,
    ProposalStatus,
)


class Round(models.Model):
    """一轮民生微实事: a street's (or community's) yearly budget for small projects chosen by its residents. The
    ballot kind, the counting method and who may vote are declared when the round is created and published with
    its result. `chain_seq`/`chain_hash` are the head of its ballot chain; the row is locked for every ballot."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="micro_rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    budget = models.PositiveIntegerField(_("budget (yuan)"))
    ballot_kind = models.CharField(_("ballot"), max_length=16, choices=BallotKind.choices)
    max_approvals = models.PositiveSmallIntegerField(_("projects a voter may tick"), default=3)
    method = models.CharField(_("counting method"), max_length=16, choices=Method.choices)
    eligibility = models.CharField(_("who may vote"), max_length=16, choices=Eligibility.choices)
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.COLLECT)
    chain_seq = models.PositiveIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    result = models.JSONField(null=True, blank=True)
    result_published_at = models.DateTimeField(null=True, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_minutes = models.TextField(_("minutes of the street's meeting"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "area__path"

    class Meta:
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "title"], name="micro_round_unique_title"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="micro_round_budget_positive"),
            models.CheckConstraint(condition=Q(max_approvals__gte=1), name="micro_round_approvals_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class RoundPhase(models.Model):
    """One phase of a round as planned: its dates and who may act in it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(max_length=16, choices=Phase.choices)
    position = models.PositiveSmallIntegerField()
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    actor = models.CharField(_("who acts"), max_length=16, choices=Actor.choices)
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "phase"], name="micro_phase_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="micro_phase_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.phase}"


class Proposal(models.Model):
    """居民点菜: a project proposed by a resident (freely or from a need of the three lists) or by staff on
    residents' behalf; reviewed for feasibility with a price, or rejected with a reason the proposer reads."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=2000)
    # The need of the three lists it answers (shequ/participation), if any: need → proposal → project → result.
    # Named by string, not imported: a domain app does not import another's models (DESIGN.md §2).
    need = models.ForeignKey(
        "participation.Need",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="micro_proposals",
        verbose_name=_("need"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED)
    price = models.PositiveIntegerField(_("price (yuan)"), null=True, blank=True)
    feasibility = models.TextField(_("feasibility"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    scope_path_field = "round__area__path"

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="micro_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(status="rejected") | Q(price__gt=0),
                name="micro_feasible_has_price",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    """That an eligible voter has voted in a round, and how (online or paper) — not what. One per voter: the
    unique (round, voter) constraint is what makes a second ballot impossible, even when two arrive at once.
    `voter` is "r:<resident id>" or "h:<household id>" as the round declares."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    voter = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    on = models.DateField(default=timezone.localdate)  # the day only: no time to line it up with a ballot

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "voter"], name="micro_one_ballot_per_voter")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.voter}"


class Ballot(models.Model):
    """一张选票: the proposals chosen, one link of the round's hash chain, with no voter on it. `receipt` is the
    link's hash: the voter's code to check that the ballot is counted (verify_micro_ballots walks the chain)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    seq = models.PositiveIntegerField()
    choices = models.JSONField()  # sorted proposal ids
    channel = models.CharField(max_length=8, choices=Channel.choices)
    prev_hash = models.CharField(max_length=64)
    receipt = models.CharField(max_length=64)

    class Meta:
        ordering = ["round", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["round", "seq"], name="micro_ballot_seq"),
            models.UniqueConstraint(fields=["receipt"], name="micro_ballot_receipt"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}#{self.seq}"

    def computed_hash(self) -> str:
        return chain_hash(self.prev_hash, ballot_payload(self.round_id, self.seq, self.choices, self.channel))


def ballot_payload(round_id: int, seq: int, choices: list[int], channel: str) -> dict[str, Any]:
    return {"round": round_id, "seq": seq, "choices": choices, "channel": channel}


class PaperEntry(models.Model):
    """The first entry of a paper ballot sheet, waiting for a second member of staff to enter the same sheet; only
    matching entries become a counted ballot (STYLE.md §12). A batch groups the sheets of one polling station."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="paper_entries")
    batch = models.CharField(_("batch"), max_length=40)
    sheet = models.CharField(_("sheet number"), max_length=40)
    voter = models.CharField(max_length=40)
    choices = models.JSONField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "batch", "sheet"], name="micro_paper_sheet"),
            models.UniqueConstraint(fields=["round", "voter"], name="micro_paper_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.batch}/{self.sheet}"


class Project(models.Model):
    """A winning proposal approved by the street's meeting, from implementation to acceptance and disclosure."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="project")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="projects")
    budget = models.PositiveIntegerField(_("budget (yuan)"))
    contractor = models.CharField(_("contractor"), max_length=120, blank=True)
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.APPROVED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    spent = models.PositiveIntegerField(_("spent (yuan)"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    scope_path_field = "round__area__path"

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="micro_progress_percent"),
            models.CheckConstraint(
                condition=Q(spent__lte=models.F("budget")), name="micro_spent_within_budget"
            ),
        ]

    def __str__(self) -> str:
        return self.proposal.title


class Milestone(models.Model):
    """A step of a project's implementation with the progress it brings."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="micro_milestone_percent")]

    def __str__(self) -> str:
        return self.title


class Spending(models.Model):
    """A payment against a project's budget (the project's `spent` is kept as their sum, under its lock)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spendings")
    amount = models.PositiveIntegerField(_("amount (yuan)"))
    purpose = models.CharField(pgettext_lazy("spending", "purpose"), max_length=200)
    on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="micro_spending_positive")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.amount}"


class Acceptance(models.Model):
    """验收: the residents' representatives' acceptance of a finished project, with their rating and photos."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="acceptance")
    representatives = models.CharField(_("representatives"), max_length=200)
    rating = models.PositiveSmallIntegerField(pgettext_lazy("score", "rating"))
    accepted = models.BooleanField(_("accepted"))
    opinion = models.TextField(_("opinion"), max_length=2000)
    on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="micro_rating")]

    def __str__(self) -> str:
        return f"{self.project_id}"


class Photo(models.Model):
    """A photo of the acceptance: checked and re-encoded by shequ.core.uploads, served only by its own view."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="microprojects/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file.name


def iso(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
