"""A vote's result as pages, API and exports show it: the published snapshot, or the live count."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .choices import REASONS, Item, Phase
from .engine import share
from .models import Vote
from .rules import national_by_code
from .services import tally_snapshot, vote_phase, vote_tally


def m2(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def percent(part: int, whole: int) -> str:
    value = share(part, whole) * 100
    return f"{float(value):.2f}%"  # display only: the decision was made in integers


def result_out(vote: Vote) -> dict[str, Any]:
    now = timezone.now()
    snapshot = vote.final or vote.preliminary
    kind = "final" if vote.final else "preliminary" if vote.preliminary else "live"
    if snapshot is None:
        snapshot = tally_snapshot(vote, vote_tally(vote), now)
    of_voters = national_by_code(snapshot["rules"]).approval_of == "participating"
    matters = []
    for m in snapshot["matters"]:
        matters.append(
            {
                **m,
                "item_label": str(Item(m["item"]).label),
                "total_area_m2": m2(m["total_area"]),
                "voted_area_m2": m2(m["voted_area"]),
                "yes_area_m2": m2(m["yes_area"]),
                "no_area_m2": m2(m["no_area"]),
                "participation_area": percent(m["voted_area"], m["total_area"]),
                "participation_heads": percent(m["voted_heads"], m["total_heads"]),
                "approval_area": percent(
                    m["yes_area"],
                    m["voted_area"] if of_voters else m["total_area"],
                ),
                "approval_heads": percent(
                    m["yes_heads"],
                    m["voted_heads"] if of_voters else m["total_heads"],
                ),
                "why": [str(REASONS[r]) for r in m["reasons"]],
                "silent_side": ("yes" if m["passed"] else "no") if m["silent_follow"] else None,
            }
        )
    phase = vote_phase(vote, now)
    return {
        "vote": vote.pk,
        "title": vote.title,
        "estate": vote.estate.name,
        "phase": phase,
        "phase_label": str(Phase(phase).label),
        "kind": kind,
        "at": snapshot["at"],
        "rules": snapshot["rules"],
        "rules_name": national_by_code(snapshot["rules"]).name,
        "matters": matters,
    }
