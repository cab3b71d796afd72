"""Panels other apps add to the console's appeal page, without the appeals app importing them (DESIGN.md §2).

An app built on appeals registers, in its AppConfig.ready(), a template and a function (user, appeal) → context;
the detail page renders each registered panel with that context as `panel`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DetailPanel:
    template: str
    context: Callable[..., dict[str, Any]]  # (*, user, appeal) → the panel's data


DETAIL_PANELS: list[DetailPanel] = []


def register_detail_panel(template: str, context: Callable[..., dict[str, Any]]) -> None:
    if all(p.template != template for p in DETAIL_PANELS):
        DETAIL_PANELS.append(DetailPanel(template, context))


def detail_panels(*, user, appeal) -> list[dict[str, Any]]:
    return [{"template": p.template, "data": p.context(user=user, appeal=appeal)} for p in DETAIL_PANELS]


# --- flags on the console's lists -----------------------------------------------------------------------------
# An app built on appeals marks rows of the queues (dispatch: "possible duplicate") without appeals importing it.
# The function gets the user and the ids of one page of rows and returns the ids to flag: one query per page.
@dataclass(frozen=True)
class ListFlag:
    label: Any  # what the badge says: a string or a lazy translation
    badge: str  # Bootstrap colour
    ids: Callable[..., set[int]]  # (*, user, ids) → the ids among `ids` that carry the flag


LIST_FLAGS: list[ListFlag] = []


def register_list_flag(label, badge: str, ids: Callable[..., set[int]]) -> None:
    if all(f.ids is not ids for f in LIST_FLAGS):
        LIST_FLAGS.append(ListFlag(label, badge, ids))


def list_flags(*, user, ids: list[int]) -> dict[int, list[ListFlag]]:
    """The flags of each row id on a page (ids without a flag are left out)."""
    flagged: dict[int, list[ListFlag]] = {}
    if not ids:
        return flagged
    for flag in LIST_FLAGS:
        for pk in flag.ids(user=user, ids=ids):
            flagged.setdefault(pk, []).append(flag)
    return flagged
