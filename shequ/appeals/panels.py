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
