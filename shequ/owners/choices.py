"""Labels of the owners' decisions, defined once for pages, API and exports (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Item(models.IntegerChoices):
    """The matters of Civil Code Art. 278, by its own numbering."""

    RULES_OF_PROCEDURE = 1, _("(1) Rules of procedure of the owners' assembly")
    MANAGEMENT_STATUTE = 2, _("(2) Management statute")
    COMMITTEE = 3, _("(3) Electing or replacing the owners' committee")
    PROPERTY_COMPANY = 4, _("(4) Hiring or dismissing the property company")
    FUND_USE = 5, _("(5) Using the maintenance fund")
    FUND_RAISE = 6, _("(6) Raising the maintenance fund")
    REBUILD = 7, _("(7) Rebuilding")
    COMMON_PARTS = 8, _("(8) Changing the use of common parts or running a business on them")
    OTHER = 9, _("(9) Other major matters")


class AreaSource(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SURVEYED = "surveyed", _("Surveyed")
    CONTRACT = "contract", _("Contract")


class Convener(models.TextChoices):
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    PREPARATORY_GROUP = "preparatory_group", _("Preparatory group")
    STREET_OFFICE = "street_office", _("Street office")
    RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee acting for the owners")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Notice published")
    PRELIMINARY = "preliminary", _("Preliminary result (objections open)")
    FINAL = "final", _("Final result")
    CANCELLED = "cancelled", _("Cancelled")


class Phase(models.TextChoices):
    """What a published vote is doing now: read from its times, never stored (deadlines are columns)."""

    DRAFT = "draft", _("Draft")
    NOTICE = "notice", _("Notice period")
    VOTING = "voting", _("Voting open")
    CLOSED = "closed", _("Voting closed, awaiting the count")
    OBJECTIONS = "objections", _("Preliminary result published, objections open")
    OBJECTIONS_OVER = "objections_over", _("Objection period over, awaiting the final result")
    FINAL = "final", _("Final result")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper")
    PROXY = "proxy", _("Written proxy")


class Choice(models.TextChoices):
    YES = "yes", _("For")
    NO = "no", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class DocumentKind(models.TextChoices):
    PAPER_SCAN = "paper_scan", _("Scan of a paper ballot")
    AUTHORISATION = "authorisation", _("Written authorisation of a proxy")


REASONS = {
    "passed": _("Passed: quorum reached by area and by headcount, and approved by area and by headcount."),
    "no_owners": _("Failed: the register has no owners."),
    "quorum_area": _("Failed: the owners taking part hold less than the required share of the total area."),
    "quorum_heads": _("Failed: fewer owners took part than the required share of all owners."),
    "approval_area": _("Failed: the area voting for is below the required share."),
    "approval_heads": _("Failed: the owners voting for are below the required share."),
}
