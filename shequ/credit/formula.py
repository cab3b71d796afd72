"""The yearly credit formula, on one screen (plan 4.2, 7.3). Plain arithmetic on three inputs, each 0–100:

- evaluation (weight 50): the owners' (or residents') yearly evaluation of the company, the mean of the scale
  questions that measure the company's service, each answer as a share of its scale ((v − 1) / (max − 1) × 100).
- appeals (weight 30): how the appeals about its estates in the year ended:
  100 × (1 − (rated dissatisfied (差评) + overdue) / received), never below 0.
- inspections (weight 20): the mean score of the year's inspections.

An input without data (no answers, no appeals, no inspection) is left out and the others' weights are scaled to
100; a subject with no input at all is not listed. Then:

- 风险名单 (risk, level C): score below 60, or any serious inspection finding in the year;
- 激励名单 (incentive, level A): score 90 or more, no serious finding, and at least 5 evaluation answers
  (an incentive needs the owners' voice, not only the absence of complaints);
- otherwise normal (level B).
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import Level, Standing

FORMULA = "2026.1"
WEIGHTS = {"evaluation": 50, "appeals": 30, "inspections": 20}
RISK_BELOW = 60
INCENTIVE_AT = 90
MIN_ANSWERS_FOR_INCENTIVE = 5


@dataclass(frozen=True)
class Inputs:
    evaluation: float | None = None
    evaluation_answers: int = 0
    appeals_received: int = 0
    appeals_dissatisfied: int = 0
    appeals_overdue: int = 0
    inspections: tuple[int, ...] = ()
    serious_findings: int = 0


@dataclass(frozen=True)
class Outcome:
    score: float
    standing: str
    level: str
    parts: dict[str, float]  # each input's 0–100 value
    weights: dict[str, float]  # the weights used, scaled to 100
    reasons: tuple[str, ...]  # codes: why the standing (read by the pages in words)


def appeals_value(i: Inputs) -> float | None:
    if not i.appeals_received:
        return None
    bad = i.appeals_dissatisfied + i.appeals_overdue
    return max(0.0, 100.0 * (1 - bad / i.appeals_received))


def outcome(i: Inputs) -> Outcome | None:
    parts = {
        "evaluation": i.evaluation if i.evaluation_answers else None,
        "appeals": appeals_value(i),
        "inspections": sum(i.inspections) / len(i.inspections) if i.inspections else None,
    }
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return None
    total_weight = sum(WEIGHTS[k] for k in present)
    weights = {k: 100 * WEIGHTS[k] / total_weight for k in present}
    score = round(sum(present[k] * weights[k] for k in present) / 100, 1)
    reasons: list[str] = []
    if i.serious_findings:
        reasons.append("serious_finding")
    if score < RISK_BELOW:
        reasons.append("below_risk")
    if reasons:
        return Outcome(score, Standing.RISK, Level.C, present, weights, tuple(reasons))
    if score >= INCENTIVE_AT:
        if i.evaluation_answers >= MIN_ANSWERS_FOR_INCENTIVE:
            return Outcome(score, Standing.INCENTIVE, Level.A, present, weights, ("at_incentive",))
        reasons.append("too_few_answers")
    return Outcome(score, Standing.NORMAL, Level.B, present, weights, tuple(reasons) or ("in_between",))
