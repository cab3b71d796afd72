"""Which staff action a round allows in which phase: the console's forms and buttons are read from here, the
services enforce the same (STYLE.md §4, §11)."""

from __future__ import annotations

from .choices import Phase

# action → the phases it is offered in
ACTIONS: dict[str, set[str]] = {
    "review": {Phase.REVIEW},
    "paper": {Phase.VOTE},
    "approve": {Phase.APPROVE},
    "advance": {Phase.COLLECT, Phase.REVIEW, Phase.VOTE, Phase.APPROVE, Phase.IMPLEMENT, Phase.ACCEPT},
}


def actions_in(phase: str) -> list[str]:
    return [name for name, phases in ACTIONS.items() if phase in phases]
