"""The appeal workflow on one screen (STYLE.md §4): states, transitions, and who may take each one.

Nothing but `services.py` sets `Appeal.status`, and it does so only through `TRANSITIONS`. "Who" is a relation of
the actor to the appeal, computed by `services.actor_relations`:

    dispatcher  may dispatch in the appeal's area (12345 operator)
    lead        acts for the lead unit (主办) the appeal is assigned to
    co          acts for a co-handling unit (协办)
    requester   the resident who submitted it
    supervisor  may supervise in the appeal's area (督办)
    system      no person: auto-dispatch, the deadline scan, automatic reopen after a bad rating
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from .choices import BAD_RATINGS, ExtensionStatus
from .choices import Status as S

OPEN = frozenset({S.SUBMITTED, S.DISPATCHED, S.SIGNED_FOR, S.IN_PROGRESS})
HANDLING = frozenset({S.DISPATCHED, S.SIGNED_FOR, S.IN_PROGRESS})
WORKING = frozenset({S.SIGNED_FOR, S.IN_PROGRESS})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change (the action is recorded on the timeline)
    who: frozenset[str]
    label: str
    when: tuple[str, ...] = ()  # guards (GUARDS below): facts of the appeal besides its status


def T(sources, target, who, label, when=()) -> Transition:
    return Transition(frozenset(sources), target, frozenset(who), label, tuple(when))


RETURN_WINDOW_HOURS = 24  # a unit may return (退单) within a day of dispatch


@dataclass(frozen=True)
class Guard:
    """A fact an action needs besides the status: the page offers the action only when it holds, and the service
    refuses it otherwise with this code and message (a business refusal, 409)."""

    holds: Callable[[Any], bool]  # (appeal) → bool; may read the appeal's extensions and events
    code: str
    message: str  # English msgid, translated when raised; may name %(hours)d, the return window


def _dispute_waiting(a) -> bool:
    last = (
        a.events.filter(action__in=["dispute_rating", "decide_rating_dispute"])
        .order_by("-at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    return last == "dispute_rating"


def _extension_waiting(a) -> bool:
    return a.extensions.filter(status=ExtensionStatus.PENDING).exists()


GUARDS: dict[str, Guard] = {
    "not_emergency": Guard(
        lambda a: a.urgency != "emergency", "unchanged", gettext_noop("The appeal is already an emergency.")
    ),
    "is_emergency": Guard(
        lambda a: a.urgency == "emergency", "unchanged", gettext_noop("The appeal is not an emergency.")
    ),
    "rated_badly": Guard(
        lambda a: a.rating in BAD_RATINGS, "invalid_state", gettext_noop("Only a bad rating can be disputed.")
    ),
    "dispute_waiting": Guard(
        _dispute_waiting, "invalid_state", gettext_noop("No rating dispute is waiting.")
    ),
    "extension_waiting": Guard(
        _extension_waiting, "invalid_state", gettext_noop("No extension request is waiting.")
    ),
    "no_extension_waiting": Guard(
        lambda a: not _extension_waiting(a),
        "duplicate",
        gettext_noop("An extension request is already waiting."),
    ),
    "no_default_unit": Guard(
        lambda a: not a.default_unit_decided,
        "invalid_state",
        gettext_noop("A default (兜底) unit was decided: it cannot be returned again."),
    ),
    "in_return_window": Guard(
        lambda a: (
            a.dispatched_at is None
            or timezone.now() - a.dispatched_at <= timedelta(hours=RETURN_WINDOW_HOURS)
        ),
        "return_window_passed",
        gettext_noop("Returns are possible within %(hours)d hours of dispatch."),
    ),
}


TRANSITIONS: dict[str, Transition] = {
    #                   from                               to              who                            label
    "categorize":        T(OPEN,                            None,           {"dispatcher", "system"},      "分类"),
    "dispatch":          T({S.SUBMITTED},                   S.DISPATCHED,   {"dispatcher", "system"},      "派单"),
    "sign_for":          T({S.DISPATCHED},                  S.SIGNED_FOR,   {"lead"},                      "签收"),
    "start":             T({S.SIGNED_FOR},                  S.IN_PROGRESS,  {"lead"},                      "开始办理"),
    "contact":           T(WORKING,                         None,           {"lead"},                      "联系诉求人"),
    "co_reply":          T(HANDLING,                        None,           {"co"},                        "协办反馈"),
    "reply":             T(WORKING,                         S.REPLIED,      {"lead"},                      "答复"),
    "return":            T({S.DISPATCHED, S.SIGNED_FOR},    S.SUBMITTED,    {"lead"},                      "退单",
                           when=("no_default_unit", "in_return_window")),
    "reassign":          T(OPEN,                            S.DISPATCHED,   {"dispatcher"},                "改派"),
    "request_extension": T(WORKING,                         None,           {"lead"},                      "申请延期",
                           when=("no_extension_waiting",)),
    "decide_extension":  T(WORKING,                         None,           {"dispatcher"},                "审批延期",
                           when=("extension_waiting",)),
    "supervise":         T(OPEN | {S.REPLIED},              None,           {"supervisor", "system"},      "督办"),
    "evaluate":          T({S.REPLIED},                     S.EVALUATED,    {"requester", "dispatcher"},   "评价"),
    "dispute_rating":    T({S.EVALUATED, S.CLOSED} | HANDLING, None,        {"lead"},                      "差评申诉",
                           when=("rated_badly",)),
    "decide_rating_dispute": T({S.EVALUATED, S.CLOSED} | HANDLING, None,    {"dispatcher"},                "审核差评申诉",
                           when=("dispute_waiting",)),
    "close":             T({S.EVALUATED, S.REPLIED},        S.CLOSED,       {"dispatcher", "system"},      "办结"),
    "reopen":            T({S.EVALUATED, S.CLOSED},         S.DISPATCHED,   {"dispatcher", "system"},      "重办"),
    "merge":             T(OPEN,                            S.MERGED,       {"dispatcher"},                "并单"),
    "reject":            T({S.SUBMITTED},                   S.REJECTED,     {"dispatcher"},                "不予受理"),
    # Issue 23: a dispatcher corrects the urgency in one click (appeals.emergency); the 20 minutes start at raising.
    "raise_emergency":   T(OPEN,                            None,           {"dispatcher"},                "升为紧急",
                           when=("not_emergency",)),
    "lower_emergency":   T(OPEN,                            None,           {"dispatcher"},                "降为一般",
                           when=("is_emergency",)),
}  # fmt: skip

ACTIONS = tuple(TRANSITIONS)


def allowed(action: str, status: str, relations: set[str]) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and status in t.sources and bool(t.who & relations)


def failed_guard(action: str, appeal) -> Guard | None:
    """The first guard of the action that does not hold for this appeal (its status and relations aside)."""
    t = TRANSITIONS.get(action)
    for name in t.when if t is not None else ():
        if not GUARDS[name].holds(appeal):
            return GUARDS[name]
    return None


def available_actions(status: str, relations: set[str], appeal=None) -> list[str]:
    """The actions the table allows in this status for these relations; given the appeal, also its guards (what a
    page offers: STYLE.md §11, the same checks the service makes)."""
    return [
        a
        for a, t in TRANSITIONS.items()
        if status in t.sources and t.who & relations and (appeal is None or failed_guard(a, appeal) is None)
    ]


# Timeline entries that are not transitions of the table (intake, the deadline scan, partner systems).
EVENT_LABELS = {
    "submit": "受理",
    "warn": "临期预警",
    "escalate": "超期督办",
    "overdue": "超期",
    "partner_update": "对接系统更新",
    "call": "呼叫诉求人",  # a privacy-number call, part of the contact step (appeals.calls)
}


def event_label(action: str) -> str:
    t = TRANSITIONS.get(action)
    return t.label if t is not None else EVENT_LABELS.get(action, action)
