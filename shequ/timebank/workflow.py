"""The help request's states and who may move it (STYLE.md §4): one table, read by the services and the pages.

open ──accept (a helper; credits held)──▶ accepted ──complete (the requester; credits paid)──▶ completed
  │                                        │  └─withdraw (the helper; credits returned)──▶ open
  └──cancel (the requester)──▶ cancelled ◀─┘ cancel (the requester; credits returned)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .choices import HelpStatus

REQUESTER, HELPER, OTHER = "requester", "helper", "other"


@dataclass(frozen=True)
class Transition:
    action: str
    source: tuple[str, ...]
    target: str
    who: str  # REQUESTER, HELPER (the accepted helper) or OTHER (anyone signed in but the requester)
    label: object


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("accept", (HelpStatus.OPEN,), HelpStatus.ACCEPTED, OTHER, _("I will help")),
        Transition("withdraw", (HelpStatus.ACCEPTED,), HelpStatus.OPEN, HELPER, _("I cannot come after all")),
        Transition(
            "complete", (HelpStatus.ACCEPTED,), HelpStatus.COMPLETED, REQUESTER, _("Done: pay the helper")
        ),
        Transition(
            "cancel",
            (HelpStatus.OPEN, HelpStatus.ACCEPTED),
            HelpStatus.CANCELLED,
            REQUESTER,
            _("Cancel the request"),
        ),
    )
}


def role_in(request, user) -> str:
    if user.pk == request.requester_id:
        return REQUESTER
    if request.helper_id is not None and user.pk == request.helper_id:
        return HELPER
    return OTHER


def allowed(request, user, action: str) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and request.status in t.source and role_in(request, user) == t.who


def actions_for(request, user) -> list[Transition]:
    """The buttons this person sees on this request: exactly what the service would accept."""
    return [t for t in TRANSITIONS.values() if allowed(request, user, t.action)]
