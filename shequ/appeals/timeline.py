"""Who may read each timeline entry, and the resident's timeline in words a resident understands (issue 21).

Every Event has a declared audience (STYLE.md §11): `Audience.STAFF` entries are for the people handling the
appeal only; `Audience.REQUESTER` entries are also the requester's (and Open311's public updates). An entry carries
two texts: `note`, written by and for staff (a dispatcher's remark, "职责清单 v3", a return reason), which never
leaves for the requester, and `resident_text`, what the requester reads (the reply, the reason an appeal is not
accepted, a partner system's public update). Which actions write their text to the requester is declared here,
once (`TEXT_FOR_REQUESTER`), and `services._new_event` follows it: pages never guess.

The resident sees only entries that are his and whose action has a resident's wording (`RESIDENT_LABELS`); staff
see every entry with its audience shown beside it (`staff_timeline`). An entry and its note are two audiences: a
dispatch is the requester's ("已转交办理单位") while the dispatcher's remark on it is staff's, so the console badges
the step and the note each by its own audience, never the note by the step's (issue 21).
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
    """Who reads the entry (the step itself): the requester too, or staff only."""
    return Audience.REQUESTER if event.public else Audience.STAFF


def resident_sees(event: Event) -> bool:
    """The entry is on the requester's 办理进度: his, and with a wording of his (resident_timeline's filter)."""
    return event.public and event.action in RESIDENT_LABELS


def note_audience(event: Event) -> str:
    """Who reads the entry's note. The requester reads `resident_text`, never the note: a note is his only where
    it is the very text addressed to him (a reply, a reason for not accepting)."""
    if event.public and event.resident_text and event.resident_text == event.note:
        return Audience.REQUESTER
    return Audience.STAFF


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


# Staff words for entries that no workflow transition writes (appeals.nearby's 我也遇到了).
STAFF_LABELS = {"support": _("Another resident met the same problem")}


def staff_timeline(appeal: Appeal, *, label) -> list[dict]:
    """The console's timeline: every entry in staff words (`label(action)`), with what the requester sees of it.

    `audience` is the step's real audience (on the requester's 办理进度 or not), `resident_label` his wording of
    it, `note` the staff note with its own `note_audience`, and `resident_text` the text he reads when it is not
    the note itself."""
    entries = []
    for e in appeal.events.select_related("actor_unit").all():
        seen = resident_sees(e)
        entries.append(
            {
                "action": e.action,
                "label": str(STAFF_LABELS[e.action]) if e.action in STAFF_LABELS else label(e.action),
                "unit": e.actor_unit.name if e.actor_unit else None,
                "at": e.at,
                "audience": Audience.REQUESTER if seen else Audience.STAFF,
                "resident_label": str(RESIDENT_LABELS[e.action]) if seen else "",
                "note": redact(e.note),
                "note_audience": note_audience(e),
                "resident_text": redact(e.resident_text) if seen and e.resident_text != e.note else "",
            }
        )
    return entries


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
