"""Issue 23: choose the learned layer's settings and decision threshold on the TRAINING file only.

    .venv/bin/python bench/urgency/tune.py [--folds 5] [--repeats 3] [--target 0.95] [--grid]

Never reads the held-out file. Stratified group cross-validation on `shequ/appeals/data/urgency_train.jsonl`:
the groups are core sentences (a sentence's wrappings, long form and typo stay in one fold, as the held-out file
holds other sentences, not other wrappings), the strata are (urgent, kind). The folds are cut from the first
and third rounds' sentences (`--rounds 1,3`; the first written with the first held-out file, the third after
held-out set v3 was committed, with long messages whose danger is one clause among requests); the second
round's (`"round": 2`) are in the training part of every fold and never measured, so they count only by what
they teach. Every measured text gets an out-of-fold score from a model that never saw its sentence, `--repeats`
times with other fold draws. The decision is the one `urgency.assess` takes: the rule layer's phrase, else the
highest learned score of the text's spans that may count (urgency.learned_spans: the whole text unless it is
too short or asks for advice; with UNITS "clause" or "pair" also each clause or two adjacent clauses that do not
ask and stand beside no clause that asks) against the threshold. The threshold chosen is the highest one at
which the pooled out-of-fold recall is still ≥ `--target`: the fewest false alarms that keep the recall goal.
`--grid` also compares the units scored and C by the false alarms at that recall, and reports how often the kind
named (rule's, else the kind classifier's on the best span) is right, and how often its number (110/119/120) is;
the settings in urgency.py are the grid's choice. Never reads urgency_heldout*.jsonl.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from shequ.appeals import urgency  # noqa: E402

MEASURED = (1, 3)  # the rounds measured in the folds; round 2 trains in every fold


def measured_rows(rows: list[dict], rounds: tuple[int, ...] = MEASURED) -> list[dict]:
    return [r for r in rows if r.get("round", 1) in rounds]


def out_of_fold(
    rows: list[dict],
    *,
    folds: int,
    seed: int,
    units: str | None = None,
    reach: int | None = None,
    rounds=MEASURED,
    **settings,
) -> tuple[np.ndarray, list[str]]:
    """What assess compares with the threshold for every measured row (the highest score of its spans that may
    count, 0.0 if none may) and the kind named on that span, from a model trained on the other folds' sentences
    and on every row of the rounds not measured (those are in the training part of every fold)."""
    from sklearn.model_selection import StratifiedGroupKFold

    measured = measured_rows(rows, rounds)
    always = [r for r in rows if r.get("round", 1) not in rounds]
    strata = [f"{r['urgent']}:{r['kind']}" for r in measured]
    groups = [r["core"] for r in measured]
    scores = np.zeros(len(measured))
    kinds = [""] * len(measured)
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in split.split(measured, strata, groups):
        m = urgency.train([measured[i] for i in train_idx] + always, **settings)
        s, k = m.best_scores([measured[i]["text"] for i in test_idx], units=units, reach=reach)
        scores[test_idx] = s
        for i, kind in zip(test_idx, k, strict=True):
            kinds[i] = kind
    return scores, kinds


def gates(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per row: does the rule layer call it an emergency; may the learned layer's score count at all (its spans
    are gated in best_scores, a text with none scores 0.0); the rule layer's kind."""
    hits = [urgency.detect_rule(r["text"]) for r in rows]
    rule = np.array([h is not None for h in hits])
    return rule, np.ones(len(rows), dtype=bool), [h[0] if h else "" for h in hits]


def sweep(y: np.ndarray, rule: np.ndarray, learned: np.ndarray, scores: np.ndarray, target: float):
    """(threshold, recall, false-alarm rate) at the highest threshold whose recall is ≥ target; and the curve."""
    curve = []
    for t in np.round(np.arange(0.05, 0.951, 0.01), 2):
        flagged = rule | (learned & (scores >= t))
        recall = (flagged & y).sum() / y.sum()
        fa = (flagged & ~y).sum() / (~y).sum()
        curve.append((float(t), float(recall), float(fa)))
    meeting = [c for c in curve if c[1] >= target]
    best = max(meeting, key=lambda c: (-c[2], c[0])) if meeting else None
    return best, curve


def kind_named(
    measured: list[dict], rule_kinds: list[str], scores, kinds, threshold: float
) -> tuple[int, int, int]:
    """Of the urgent rows flagged at `threshold`: how many, how many named the right kind, how many named a kind
    whose number (110/119/120) is the right one."""
    flagged = right = number = 0
    for r, rk, s, k in zip(measured, rule_kinds, scores, kinds, strict=True):
        if not r["urgent"] or not (rk or s >= threshold):
            continue
        named = rk or k
        flagged += 1
        right += named == r["kind"]
        number += urgency.KIND_CALL.get(named) == urgency.KIND_CALL.get(r["kind"])
    return flagged, right, number


def evaluate(rows, y, rule, learned, *, folds, repeats, target, rule_kinds=None, rounds=MEASURED, **settings):
    """`y`, `rule` and `learned` are of the measured rows, in file order. Returns the sweep's (best, curve) and,
    at the chosen threshold, (flagged urgent, kind right, number right) pooled over the repeats."""
    runs = [out_of_fold(rows, folds=folds, seed=s, rounds=rounds, **settings) for s in range(repeats)]
    pooled = np.concatenate([s for s, _ in runs])
    best, curve = sweep(
        np.tile(y, repeats), np.tile(rule, repeats), np.tile(learned, repeats), pooled, target
    )
    named = (0, 0, 0)
    if best is not None and rule_kinds is not None:
        measured = measured_rows(rows, rounds)
        parts = [kind_named(measured, rule_kinds, s, k, best[0]) for s, k in runs]
        named = tuple(sum(p[i] for p in parts) for i in range(3))
    return best, curve, named


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--target", type=float, default=0.95)
    p.add_argument("--grid", action="store_true")
    p.add_argument(
        "--without-round-2", action="store_true", help="train without the second round (does it help?)"
    )
    p.add_argument(
        "--rounds", default="1,3", help="the rounds measured in the folds (the others always train)"
    )
    args = p.parse_args()
    rounds = tuple(int(x) for x in args.rounds.split(","))
    rows = urgency.training_rows()  # the training file only
    if args.without_round_2:
        rows = [r for r in rows if r.get("round", 1) != 2]
    first = measured_rows(rows, rounds)
    y = np.array([bool(r["urgent"]) for r in first])
    rule, learned, rule_kinds = gates(first)
    print(f"training file: {len(rows)} texts, {len({r['core'] for r in rows})} sentences; measured on rounds "
          f"{args.rounds}: {len(first)} texts ({len({r['core'] for r in first})} sentences, {y.sum()} urgent)")  # fmt: skip
    print(f"rule layer alone on it: recall {(rule & y).sum() / y.sum():.3f}, "
          f"false alarms {(rule & ~y).sum() / (~y).sum():.3f}")  # fmt: skip
    t0 = time.perf_counter()
    common = {"folds": args.folds, "repeats": args.repeats, "target": args.target, "rounds": rounds,
              "rule_kinds": rule_kinds}  # fmt: skip
    if args.grid:
        print(
            "\n| units | advice reach | C | threshold | CV recall | CV false alarms | kind right | number right |"
            "\n|---|---|---|---|---|---|---|---|"
        )
        for units, reach in (("text", 0), ("clause", 0), ("clause", 1), ("pair", 0), ("pair", 1)):
            for c in (2.0, 8.0, 32.0):
                best, _, named = evaluate(rows, y, rule, learned, units=units, reach=reach, c=c, **common)
                head = f"| {units} | {reach if units != 'text' else '—'} | {c:g} |"
                if best:
                    print(f"{head} {best[0]:.2f} | {best[1]:.3f} | {best[2]:.3f} | "
                          f"{named[1] / max(named[0], 1):.3f} | {named[2] / max(named[0], 1):.3f} |", flush=True)  # fmt: skip
                else:
                    print(f"{head} — | below {args.target} | — | — | — |", flush=True)
    best, curve, named = evaluate(rows, y, rule, learned, **common)
    print(f"\nurgency.py's settings (units {urgency.UNITS}, advice reach {urgency.ADVICE_REACH}, NB scaling {urgency.NB}, C {urgency.C:g}, n-grams "
          f"{urgency.NGRAMS}), {args.folds}-fold stratified group CV × {args.repeats}:")  # fmt: skip
    print("\n| threshold | CV recall | CV false alarms |\n|---|---|---|")
    for t, recall, fa in curve:
        if abs(t * 20 - round(t * 20)) < 1e-9 or (best and t == best[0]):
            mark = " ← chosen" if best and t == best[0] else ""
            print(f"| {t:.2f} | {recall:.3f} | {fa:.3f} |{mark}")
    if best is None:
        print(f"\nno threshold reaches recall {args.target} in cross-validation")
        return 1
    print(f"\nchosen threshold {best[0]:.2f} (CV recall {best[1]:.3f}, false alarms {best[2]:.3f}); "
          f"urgency.THRESHOLD is {urgency.THRESHOLD:.2f}")  # fmt: skip
    print(f"urgent texts flagged at it (pooled): {named[0]}; kind named right {named[1] / max(named[0], 1):.3f}, "
          f"number (110/119/120) right {named[2] / max(named[0], 1):.3f}")  # fmt: skip
    print(f"{time.perf_counter() - t0:.0f} s; {platform.machine()}, Python {platform.python_version()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
