"""The booking's state graph on one screen (STYLE.md §4): nothing but the services sets Booking.status.

action      from                                  to            who
book        -                                     confirmed     the person (instant venues)
book        -                                     pending       the person (venues that need approval)
offer       -                                     offered       the system (waitlist), held for N minutes
accept      offered                               confirmed     the person offered
lapse       offered                               lapsed        the system, when the hold runs out
approve     pending                               confirmed     venue manager
reject      pending                               rejected      venue manager
cancel      pending, confirmed, offered           cancelled     the person, until the venue's deadline;
                                                                a venue manager at any time before the start
check_in    confirmed                             checked_in    the person by the venue's QR code within the
                                                                window, or a venue manager at the desk
no_show     confirmed                             no_show       the system, N minutes after the start
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .choices import BookingStatus as S

PERSON, MANAGER, SYSTEM = "person", "manager", "system"

TRANSITIONS: dict[str, tuple[tuple[str, ...], str, frozenset[str]]] = {
    "accept": ((S.OFFERED,), S.CONFIRMED, frozenset({PERSON})),
    "lapse": ((S.OFFERED,), S.LAPSED, frozenset({SYSTEM})),
    "approve": ((S.PENDING,), S.CONFIRMED, frozenset({MANAGER})),
    "reject": ((S.PENDING,), S.REJECTED, frozenset({MANAGER})),
    "cancel": ((S.PENDING, S.CONFIRMED, S.OFFERED), S.CANCELLED, frozenset({PERSON, MANAGER})),
    "check_in": ((S.CONFIRMED,), S.CHECKED_IN, frozenset({PERSON, MANAGER})),
    "no_show": ((S.CONFIRMED,), S.NO_SHOW, frozenset({SYSTEM})),
}

LABELS = {
    "accept": _("Accept"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "cancel": _("Cancel"),
    "check_in": _("Check in"),
}


def allowed(action: str, status: str, role: str) -> bool:
    sources, _target, roles = TRANSITIONS[action]
    return status in sources and role in roles


def target(action: str) -> str:
    return TRANSITIONS[action][1]


def actions_for(status: str, role: str) -> list[str]:
    """What a page may offer (STYLE.md §11): the same table the services enforce."""
    return [a for a in LABELS if allowed(a, status, role)]
