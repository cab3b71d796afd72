"""The tally of one matter under Civil Code Art. 278 and the SPC's interpretation (Arts. 8–9): plain code.

Input: the estate's exclusive parts as the roll fixed them at the notice — each with its counted area (hundredths
of m², the registered area, else the surveyed, else the contract's: SPC Art. 8), the person it counts for (one
part one person; the developer's unsold parts one person; a buyer of several parts one person: SPC Art. 9) and
the choice cast for it. Output: the denominators, participation and approval in both measures, and why.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from .rules import LocalRules, RuleSet

YES, NO, ABSTAIN = "yes", "no", "abstain"


class PartVote(NamedTuple):
    area: int  # hundredths of a square metre
    person: Hashable
    choice: str | None  # YES / NO / ABSTAIN; None: not taken part


@dataclass(frozen=True)
class Tally:
    total_area: int  # 总面积
    total_heads: int  # 总人数
    voted_area: int
    voted_heads: int
    yes_area: int
    yes_heads: int
    no_area: int
    no_heads: int
    special: bool  # decided by the special threshold (items (6)–(8) under Art. 278)
    quorum_area: bool
    quorum_heads: bool
    approved_area: bool
    approved_heads: bool
    passed: bool
    extension_allowed: bool  # participation at most one half by area and by headcount (Shenzhen)
    silent_area: (
        int  # not taken part; with "silent votes follow the majority" on, added to the outcome's side
    )
    silent_heads: int
    silent_follow: bool
    reasons: tuple[str, ...]  # codes, in order: what decided it (choices.REASONS gives the words)


def tally(
    parts: Iterable[PartVote | tuple[int, Hashable, str | None]],
    *,
    item: int,
    rules: RuleSet,
    local: LocalRules,
    silent_follow: bool = False,
) -> Tally:
    area: dict[Hashable, int] = {}
    choice: dict[Hashable, str] = {}
    voted_area = yes_area = no_area = 0
    for area_of_part, person, cast in parts:  # PartVote or any (area, person, choice) triple
        area[person] = area.get(person, 0) + area_of_part
        if cast is None:
            continue
        if choice.setdefault(person, cast) != cast:
            raise ValueError(f"{person!r} counts as one person but cast different choices")
        voted_area += area_of_part
        if cast == YES:
            yes_area += area_of_part
        elif cast == NO:
            no_area += area_of_part
    total_area, total_heads, voted_heads = sum(area.values()), len(area), len(choice)
    yes_heads = sum(1 for c in choice.values() if c == YES)
    no_heads = sum(1 for c in choice.values() if c == NO)

    quorum_area = rules.quorum.met(voted_area, total_area) if rules.quorum else True
    quorum_heads = rules.quorum.met(voted_heads, total_heads) if rules.quorum else True
    special = item in rules.special_items
    threshold = rules.special if special else rules.ordinary
    base_area, base_heads = (
        (voted_area, voted_heads) if rules.approval_of == "participating" else (total_area, total_heads)
    )
    approved_area = voted_heads > 0 and threshold.met(yes_area, base_area)
    approved_heads = voted_heads > 0 and threshold.met(yes_heads, base_heads)
    passed = quorum_area and quorum_heads and approved_area and approved_heads
    half = local.extension_at_most.share
    extension_allowed = (
        total_heads > 0
        and voted_area * half.denominator <= half.numerator * total_area
        and voted_heads * half.denominator <= half.numerator * total_heads
    )
    reasons = tuple(
        code
        for code, failed in (
            ("no_owners", total_heads == 0),
            ("quorum_area", not quorum_area),
            ("quorum_heads", not quorum_heads),
            ("approval_area", not approved_area),
            ("approval_heads", not approved_heads),
        )
        if failed
    ) or ("passed",)
    return Tally(
        total_area=total_area,
        total_heads=total_heads,
        voted_area=voted_area,
        voted_heads=voted_heads,
        yes_area=yes_area,
        yes_heads=yes_heads,
        no_area=no_area,
        no_heads=no_heads,
        special=special,
        quorum_area=quorum_area,
        quorum_heads=quorum_heads,
        approved_area=approved_area,
        approved_heads=approved_heads,
        passed=passed,
        extension_allowed=extension_allowed,
        # The silent never count toward the quorum, and joining the outcome's side cannot change it: (Y+S)/(P+S)
        # stays above a share Y/P reached, Y/(P+S) stays below one Y/P missed. They change only the figures shown.
        silent_area=total_area - voted_area,
        silent_heads=total_heads - voted_heads,
        silent_follow=silent_follow,
        reasons=reasons,
    )


def share(part: int, whole: int) -> Fraction:
    """A share for display (the decision never reads it)."""
    return Fraction(part, whole) if whole else Fraction(0)
