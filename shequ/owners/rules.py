"""The law on owners' decisions as data, each version with the day it took effect (plan 4.2 业主共同决定).

The engine (engine.py) reads a RuleSet and never names a share itself: a new law is a new entry here, and a vote
keeps the code of the rules it was published under, so that its tally can be recomputed as it was decided.

- Civil Code Art. 278 (2021-01-01): quorum — owners holding at least 2/3 of the exclusive area AND at least 2/3
  of the owners take part; approval — items (6)–(8) at least 3/4 of the participating area and owners, the others
  more than half of both.
- Property Law Art. 76 (2007-10-01, replaced by the Civil Code): no quorum; raising or using the maintenance fund
  and rebuilding need 2/3 of ALL the area and owners, the rest more than half of all. Kept so that a decision of
  that time can be recomputed; its items are read in Art. 278's numbering (its one fund matter covers (5) and (6);
  (8) did not exist on its own and falls under "other major matters").
- Shenzhen's e-voting rules (local): participation not above one half by area and by headcount allows an extension
  of up to three months; a matter that still fails is not tabled again for a year unless 2/3 of the owners'
  committee agree; the notice goes out at least 15 days before voting opens (物业管理条例 Art. 14).
  The effective day below is the Civil Code's: confirm it against the published Shenzhen text before relying on
  it for earlier votes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

# Art. 278's nine items, by number (the UI labels live in choices.Item).
ITEMS = range(1, 10)


@dataclass(frozen=True)
class Threshold:
    """`share` of a whole; `strict`: more than the share (过半数), else at least the share (三分之二以上)."""

    share: Fraction
    strict: bool = False

    def met(self, part: int, whole: int) -> bool:
        # Integer cross-multiplication: exact at every boundary, no float ever compared.
        if whole <= 0:
            return False
        left, right = part * self.share.denominator, self.share.numerator * whole
        return left > right if self.strict else left >= right


@dataclass(frozen=True)
class RuleSet:
    code: str
    name: str
    effective: date
    quorum: Threshold | None  # of all the area AND all the owners, who must take part; None: no quorum
    special_items: frozenset[int]  # the items decided by `special`
    special: Threshold
    ordinary: Threshold
    approval_of: str  # "participating": shares of those who took part; "all": shares of all owners


@dataclass(frozen=True)
class LocalRules:
    code: str
    name: str
    effective: date
    extension_at_most: Threshold  # participation at most this (by area and by headcount) allows an extension
    extension_months: int
    bar_months: int  # a failed matter is not tabled again within this time...
    bar_override: Fraction  # ...unless this share of the owners' committee agrees
    notice_days: int


NATIONAL = (
    RuleSet(
        code="property-law-76",
        name="物权法第七十六条",
        effective=date(2007, 10, 1),
        quorum=None,
        special_items=frozenset({5, 6, 7}),
        special=Threshold(Fraction(2, 3)),
        ordinary=Threshold(Fraction(1, 2), strict=True),
        approval_of="all",
    ),
    RuleSet(
        code="civil-code-278",
        name="民法典第二百七十八条",
        effective=date(2021, 1, 1),
        quorum=Threshold(Fraction(2, 3)),
        special_items=frozenset({6, 7, 8}),
        special=Threshold(Fraction(3, 4)),
        ordinary=Threshold(Fraction(1, 2), strict=True),
        approval_of="participating",
    ),
)

LOCAL = (
    LocalRules(
        code="shenzhen-evote",
        name="深圳市业主共同决定事项电子投票规则",
        effective=date(2021, 1, 1),
        extension_at_most=Threshold(Fraction(1, 2)),
        extension_months=3,
        bar_months=12,
        bar_override=Fraction(2, 3),
        notice_days=15,
    ),
)


def _latest(versions, day: date):
    found = [v for v in versions if v.effective <= day]
    if not found:
        raise LookupError(f"no rules in force on {day}")
    return max(found, key=lambda v: v.effective)


def national_on(day: date) -> RuleSet:
    return _latest(NATIONAL, day)


def local_on(day: date) -> LocalRules:
    return _latest(LOCAL, day)


def national_by_code(code: str) -> RuleSet:
    return next(r for r in NATIONAL if r.code == code)


def local_by_code(code: str) -> LocalRules:
    return next(r for r in LOCAL if r.code == code)
