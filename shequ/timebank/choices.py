"""Kinds and statuses of the time bank, with their labels and badge colours, defined once (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    TEAM = "team", _("Volunteer team")
    POOL = "pool", _("Community pool")
    # Credits for confirmed volunteer hours are issued from here: its balance is minus everything ever earned
    # (and not yet expired), so that the sum over all accounts stays zero.
    ISSUER = "issuer", _("Time bank issuing account")
    # Credits the government gives key elderly (政府发放) leave from here.
    GOVERNMENT = "government", _("Government issuing account")
    # Credits of accepted help requests, held until the help is done or the request is cancelled.
    ESCROW = "escrow", _("Escrow")
    STORE = "store", _("Love supermarket")


# Accounts that may go below zero: they issue credits.
ISSUING_KINDS = (AccountKind.ISSUER, AccountKind.GOVERNMENT)
# One of each in the whole ledger.
SINGLE_KINDS = (AccountKind.ISSUER, AccountKind.GOVERNMENT, AccountKind.ESCROW)


class TransferKind(models.TextChoices):
    EARN = "earn", _("Earned for volunteer hours")
    GROUP_EARN = "group_earn", _("Group hours donated to the team or community")
    FAMILY = "family", _("Transfer to family")
    DONATION = "donation", _("Donation")
    ISSUE = "issue", _("Issued by the government")
    HOLD = "hold", _("Held for a help request")
    RELEASE = "release", _("Paid for help")
    RETURN = "return", _("Returned from a cancelled help request")
    REDEEM = "redeem", _("Redeemed at the love supermarket")
    EXPIRE = "expire", _("Expired")
    INHERIT = "inherit", _("Inherited")


class HelpKind(models.TextChoices):
    VISIT = "visit", _("A visit and a chat")
    SHOPPING = "shopping", _("Shopping")
    HOSPITAL = "hospital", _("Accompanying to hospital")
    OTHER = "other", _("Other help")


class HelpStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a helper")
    ACCEPTED = "accepted", _("A helper is coming")
    COMPLETED = "completed", _("Done and paid")
    CANCELLED = "cancelled", _("Cancelled")


HELP_BADGE = {
    HelpStatus.OPEN: "warning",
    HelpStatus.ACCEPTED: "primary",
    HelpStatus.COMPLETED: "success",
    HelpStatus.CANCELLED: "secondary",
}


class LinkStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class LinkBasis(models.TextChoices):
    HOUSEHOLD = "household", _("Same household in the residents register")
    CONFIRMED = "confirmed", _("Confirmed by the family member")
