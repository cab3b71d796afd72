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

from dataclasses import dataclass

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


def T(sources, target, who, label) -> Transition:
    return Transition(frozenset(sources), target, frozenset(who), label)


TRANSITIONS: dict[str, Transition] = {
    #                   from                               to              who                            label
    "categorize":        T(OPEN,                            None,           {"dispatcher", "system"},      "分类"),
    "dispatch":          T({S.SUBMITTED},                   S.DISPATCHED,   {"dispatcher", "system"},      "派单"),
    "sign_for":          T({S.DISPATCHED},                  S.SIGNED_FOR,   {"lead"},                      "签收"),
    "start":             T({S.SIGNED_FOR},                  S.IN_PROGRESS,  {"lead"},                      "开始办理"),
    "contact":           T(WORKING,                         None,           {"lead"},                      "联系诉求人"),
    "co_reply":          T(HANDLING,                        None,           {"co"},                        "协办反馈"),
    "reply":             T(WORKING,                         S.REPLIED,      {"lead"},                      "答复"),
    "return":            T({S.DISPATCHED, S.SIGNED_FOR},    S.SUBMITTED,    {"lead"},                      "退单"),
    "reassign":          T(OPEN,                            S.DISPATCHED,   {"dispatcher"},                "改派"),
    "request_extension": T(WORKING,                         None,           {"lead"},                      "申请延期"),
    "decide_extension":  T(WORKING,                         None,           {"dispatcher"},                "审批延期"),
    "supervise":         T(OPEN | {S.REPLIED},              None,           {"supervisor", "system"},      "督办"),
    "evaluate":          T({S.REPLIED},                     S.EVALUATED,    {"requester", "dispatcher"},   "评价"),
    "dispute_rating":    T({S.EVALUATED, S.CLOSED} | HANDLING, None,        {"lead"},                      "差评申诉"),
    "decide_rating_dispute": T({S.EVALUATED, S.CLOSED} | HANDLING, None,    {"dispatcher"},                "审核差评申诉"),
    "close":             T({S.EVALUATED, S.REPLIED},        S.CLOSED,       {"dispatcher", "system"},      "办结"),
    "reopen":            T({S.EVALUATED, S.CLOSED},         S.DISPATCHED,   {"dispatcher", "system"},      "重办"),
    "merge":             T(OPEN,                            S.MERGED,       {"dispatcher"},                "并单"),
    "reject":            T({S.SUBMITTED},                   S.REJECTED,     {"dispatcher"},                "不予受理"),
}  # fmt: skip

ACTIONS = tuple(TRANSITIONS)


def allowed(action: str, status: str, relations: set[str]) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and status in t.sources and bool(t.who & relations)


def available_actions(status: str, relations: set[str]) -> list[str]:
    return [a for a, t in TRANSITIONS.items() if status in t.sources and t.who & relations]


# Timeline entries that are not transitions of the table (intake, the deadline scan, partner systems).
EVENT_LABELS = {
    "submit": "受理",
    "warn": "临期预警",
    "escalate": "超期督办",
    "overdue": "超期",
    "partner_update": "对接系统更新",
}


def event_label(action: str) -> str:
    t = TRANSITIONS.get(action)
    return t.label if t is not None else EVENT_LABELS.get(action, action)
