"""Which staff action a vote allows in which phase: the console's buttons are read from here, the services
enforce the same (STYLE.md §4, §11)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .choices import Phase

# action → (the phases it is offered in, its label)
ACTIONS = {
    "publish": ({Phase.DRAFT}, _("Publish the notice")),
    "paper": ({Phase.VOTING}, _("Enter a paper ballot")),
    "proxy": ({Phase.VOTING}, _("Enter a ballot by written proxy")),
    "extend": ({Phase.CLOSED}, _("Extend voting")),
    "preliminary": ({Phase.CLOSED}, _("Publish the preliminary result")),
    "finalize": ({Phase.OBJECTIONS_OVER}, _("Publish the final result")),
}


def actions_in(phase: str) -> list[str]:
    return [name for name, (phases, _label) in ACTIONS.items() if phase in phases]
