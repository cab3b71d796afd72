"""Who may read each timeline entry, and the resident's timeline in words a resident understands (issue 21).

Every Event has a declared audience (STYLE.md §11): `Audience.STAFF` entries are for the people handling the
appeal only; `Audience.REQUESTER` entries are also the requester's (and Open311's public updates). An entry carries
two texts: `note`, written by and for staff (a dispatcher's remark, "职责清单 v3", a return reason), which never
leaves for the requester, and `resident_text`, what the requester reads (the reply, the reason an appeal is not
accepted, a partner system's public update). Which actions write their text to the requester is declared here,
once (`TEXT_FOR_REQUESTER`), and `services._new_event` follows it: pages never guess.

The resident sees only entries that are his and whose action has a resident's wording (`RESIDENT_LABELS`); staff
see every entry with its audience shown beside it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core.masking import redact

from .choices import Status as S

if TYPE_CHECKING:
    from .models import Appeal, Event


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff only")
    REQUESTER = "requester", _("Visible to the requester")


# Actions whose text is addressed to the requester: it is written to Event.resident_text as well as the note.
TEXT_FOR_REQUESTER = frozenset({"reply", "reject", "partner_update"})

# What each step means to the person who asked (not the staff's workflow words: no "派单", "签收").
RESIDENT_LABELS = {
    "submit": _("Your report was received"),
    "dispatch": _("Passed to the unit that will handle it"),
    "reassign": _("Passed to another unit to handle it"),
    "return": _("Finding the right unit to handle it"),
    "sign_for": _("The unit has taken it on"),
    "start": _("Being handled"),
    "reply": _("Answered"),
    "evaluate": _("You rated the answer"),
    "close": _("Finished"),
    "reopen": _("Being handled again"),
    "merge": _("Handled together with the same problem reported by others"),
    "reject": _("Not accepted"),
    "partner_update": _("Progress update"),
}

RESIDENT_STATUS = {
    S.SUBMITTED: _("Received, finding a unit"),
    S.DISPATCHED: _("Passed to a unit"),
    S.SIGNED_FOR: _("Being handled"),
    S.IN_PROGRESS: _("Being handled"),
    S.REPLIED: _("Answered: please rate"),
    S.EVALUATED: _("Rated"),
    S.CLOSED: _("Finished"),
    S.REJECTED: _("Not accepted"),
    S.MERGED: _("Handled with another report"),
}
HANDLING = (S.SUBMITTED, S.DISPATCHED, S.SIGNED_FOR, S.IN_PROGRESS)


def audience_of(event: Event) -> str:
    return Audience.REQUESTER if event.public else Audience.STAFF


def resident_text_for(action: str, note: str) -> str:
    return note if action in TEXT_FOR_REQUESTER else ""


def reopened_and_open(appeal: Appeal) -> bool:
    """Reopened and not answered again yet: the reply on the page is the earlier one."""
    return appeal.reopen_count > 0 and appeal.status in HANDLING


def resident_status_label(appeal: Appeal) -> str:
    if reopened_and_open(appeal):
        return str(_("Being handled again"))
    label = RESIDENT_STATUS.get(S(appeal.status)) if appeal.status in S.values else None
    return str(label) if label is not None else appeal.get_status_display()


def resident_timeline(appeal: Appeal) -> list[dict]:
    """The requester's 办理进度: his entries, in his words; never a note meant for staff."""
    entries = []
    for e in appeal.events.select_related("actor_unit").filter(public=True, action__in=list(RESIDENT_LABELS)):
        entries.append(
            {
                "action": e.action,
                "label": str(RESIDENT_LABELS[e.action]),
                "unit": e.actor_unit.name if e.actor_unit else None,
                "at": e.at,
                "text": redact(e.resident_text),
                "audience": Audience.REQUESTER,
            }
        )
    return entries
