"""Labels of 民生微实事 rounds, defined once for pages, API and exports (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Phase(models.TextChoices):
    """A round's phases, in order. A round is in exactly one at a time; staff move it to the next (audited)."""

    COLLECT = "collect", pgettext_lazy("micro-project phase", "Collecting proposals")
    REVIEW = "review", pgettext_lazy("micro-project phase", "Review")
    VOTE = "vote", pgettext_lazy("micro-project phase", "Voting")
    APPROVE = "approve", pgettext_lazy("micro-project phase", "Approval by the street's meeting")
    IMPLEMENT = "implement", pgettext_lazy("micro-project phase", "Implementation")
    ACCEPT = "accept", pgettext_lazy("micro-project phase", "Acceptance")
    DISCLOSE = "disclose", pgettext_lazy("micro-project phase", "Disclosed")


PHASE_ORDER = [p.value for p in Phase]


class Actor(models.TextChoices):
    """Who may act in a phase."""

    RESIDENTS = "residents", _("Residents of the area")
    STAFF = "staff", _("Street and community staff")
    MEETING = "meeting", _("The street's meeting")
    CONTRACTOR = "contractor", _("The contractor, recorded by staff")
    REPRESENTATIVES = "representatives", _("Residents' representatives")
    PUBLIC = "public", _("Everyone")


DEFAULT_ACTORS = {
    Phase.COLLECT: Actor.RESIDENTS,
    Phase.REVIEW: Actor.STAFF,
    Phase.VOTE: Actor.RESIDENTS,
    Phase.APPROVE: Actor.MEETING,
    Phase.IMPLEMENT: Actor.CONTRACTOR,
    Phase.ACCEPT: Actor.REPRESENTATIVES,
    Phase.DISCLOSE: Actor.PUBLIC,
}


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval: tick up to a number of projects")
    KNAPSACK = "knapsack", _("Knapsack: choose projects within the budget")


class Method(models.TextChoices):
    GREEDY = "greedy", _("Greedy in vote order")
    EQUAL_SHARES = "equal_shares", _("Method of Equal Shares")


class Eligibility(models.TextChoices):
    RESIDENT = "resident", _("One ballot per real-name resident of the area")
    HOUSEHOLD = "household", _("One ballot per household of the area")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    FEASIBLE = "feasible", _("Feasible, on the ballot")
    REJECTED = "rejected", _("Not feasible")
    SELECTED = "selected", _("Selected by the vote")
    NOT_SELECTED = "not_selected", _("Not selected")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")


class ProjectStatus(models.TextChoices):
    APPROVED = "approved", _("Approved by the meeting")
    IMPLEMENTING = "implementing", _("Being implemented")
    ACCEPTED = "accepted", pgettext_lazy("acceptance check", "Accepted")
    FAILED = "failed", pgettext_lazy("acceptance check", "Not accepted")
