"""How appeal statuses read in Open311, defined once (STYLE.md §9) for requests, updates and tests."""

from __future__ import annotations

from shequ.appeals.choices import FINAL_STATUSES
from shequ.appeals.choices import Status as S

FORMATS = ("json", "xml")
REQUEST_STATUSES = ("open", "closed")

# GeoReport v2 knows only open and closed: closed means finished for good (closed, rejected, merged). A replied
# or evaluated appeal is still open: the requester's rating may reopen it.
CLOSED = frozenset(FINAL_STATUSES)


def request_status(status: str) -> str:
    return "closed" if status in CLOSED else "open"


# The FixMyStreet "extended statuses" (lower case, as FixMyStreet's update feed and mySociety's open311-adapter
# write them) for the servicerequestupdates feed. A reply is not "fixed" yet: the rating may reopen it.
UPDATE_STATUS: dict[str, str] = {
    S.SUBMITTED: "open",
    S.DISPATCHED: "action_scheduled",
    S.SIGNED_FOR: "investigating",
    S.IN_PROGRESS: "in_progress",
    S.REPLIED: "in_progress",
    S.EVALUATED: "in_progress",
    S.CLOSED: "closed",
    S.REJECTED: "not_councils_responsibility",
    S.MERGED: "duplicate",
}
# Some actions say more than the state they lead to.
UPDATE_STATUS_BY_ACTION = {"reopen": "reopen"}


def update_status(action: str, to_status: str) -> str:
    return UPDATE_STATUS_BY_ACTION.get(action) or UPDATE_STATUS.get(to_status, "open")


# What a partner may send as `status` on POST servicerequestupdates (case-insensitive): the FixMyStreet extended
# statuses. They are recorded on the update, never applied to the appeal's workflow.
PARTNER_STATUSES = frozenset(
    {
        "open",
        "closed",
        "fixed",
        "in_progress",
        "planned",
        "action_scheduled",
        "investigating",
        "duplicate",
        "not_councils_responsibility",
        "no_further_action",
        "internal_referral",
        "for_triage",
        "cancelled",
        "reopen",
    }
)

PARTNER_UPDATE_ACTION = "partner_update"
