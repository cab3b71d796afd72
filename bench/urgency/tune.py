"""Issue 23: choose the learned layer's settings and decision threshold on the TRAINING file only.

    .venv/bin/python bench/urgency/tune.py [--folds 5] [--repeats 3] [--target 0.95] [--grid]

Never reads the held-out file. Stratified group cross-validation on `shequ/appeals/data/urgency_train.jsonl`:
the groups are core sentences (a sentence's wrappings, long form and typo stay in one fold, as the held-out file
holds other sentences, not other wrappings), the strata are (urgent, kind). The folds are cut from the first
round's sentences (written with the held-out ones, by the same hand, in the same style); the second round's
(`"round": 2`: more varied emergencies and near misses, written later) are in the training part of every fold
and never measured, so they count only by what they teach. Every first-round text gets an out-of-fold score from
a model that never saw its sentence, `--repeats` times with other fold draws. The decision is the one
`urgency.assess` takes: the rule layer's phrase, else (unless the text is too short or asks for advice) the
learned score against the threshold. The threshold chosen is the highest one at which the pooled out-of-fold
recall is still ≥ `--target`: the fewest false alarms that keep the recall goal. `--grid` also compares model
settings (C, n-gram range) by the false alarms at that recall; the settings in urgency.py are the grid's choice.
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


def out_of_fold(rows: list[dict], *, folds: int, seed: int, **settings) -> np.ndarray:
    """The learned layer's score of every first-round row, from a model trained on the other folds' sentences
    and on every second-round row (those are in the training part of every fold, never measured)."""
    from sklearn.model_selection import StratifiedGroupKFold

    measured = [r for r in rows if r.get("round", 1) == 1]
    always = [r for r in rows if r.get("round", 1) != 1]
    strata = [f"{r['urgent']}:{r['kind']}" for r in measured]
    groups = [r["core"] for r in measured]
    scores = np.zeros(len(measured))
    split = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in split.split(measured, strata, groups):
        m = urgency.train([measured[i] for i in train_idx] + always, **settings)
        scores[test_idx] = m.scores([measured[i]["text"] for i in test_idx])
    return scores


def gates(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Per row: does the rule layer call it an emergency; may the learned layer's score count at all."""
    rule = np.array([urgency.detect_rule(r["text"]) is not None for r in rows])
    learned = np.array([urgency.learned_counts(r["text"]) for r in rows])
    return rule, learned


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


def evaluate(rows, y, rule, learned, *, folds, repeats, target, **settings):
    """`y`, `rule` and `learned` are of the first round's rows (the measured ones), in file order."""
    pooled = np.concatenate([out_of_fold(rows, folds=folds, seed=s, **settings) for s in range(repeats)])
    return sweep(np.tile(y, repeats), np.tile(rule, repeats), np.tile(learned, repeats), pooled, target)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--target", type=float, default=0.95)
    p.add_argument("--grid", action="store_true")
    p.add_argument(
        "--without-round-2", action="store_true", help="train without the second round (does it help?)"
    )
    args = p.parse_args()
    rows = urgency.training_rows()  # the training file only
    if args.without_round_2:
        rows = [r for r in rows if r.get("round", 1) == 1]
    first = [r for r in rows if r.get("round", 1) == 1]
    y = np.array([bool(r["urgent"]) for r in first])
    rule, learned = gates(first)
    print(f"training file: {len(rows)} texts, {len({r['core'] for r in rows})} sentences; measured on the first "
          f"round's {len(first)} texts ({len({r['core'] for r in first})} sentences, {y.sum()} urgent)")  # fmt: skip
    print(f"rule layer alone on it: recall {(rule & y).sum() / y.sum():.3f}, "
          f"false alarms {(rule & ~y).sum() / (~y).sum():.3f}")  # fmt: skip
    t0 = time.perf_counter()
    common = {"folds": args.folds, "repeats": args.repeats, "target": args.target}
    if args.grid:
        print(
            "\n| NB scaling | C | n-grams | threshold | CV recall | CV false alarms |\n|---|---|---|---|---|---|"
        )
        for nb in (False, True):
            for c in (2.0, 8.0, 32.0):
                for ngrams in ((1, 3), (1, 4)):
                    best, _ = evaluate(rows, y, rule, learned, c=c, ngrams=ngrams, nb=nb, **common)
                    head = f"| {'yes' if nb else 'no'} | {c:g} | {ngrams[0]}-{ngrams[1]} |"
                    if best:
                        print(f"{head} {best[0]:.2f} | {best[1]:.3f} | {best[2]:.3f} |", flush=True)
                    else:
                        print(f"{head} — | below {args.target} | — |", flush=True)
    best, curve = evaluate(rows, y, rule, learned, **common)
    print(f"\nurgency.py's settings (NB scaling {urgency.NB}, C {urgency.C:g}, n-grams {urgency.NGRAMS}), "
          f"{args.folds}-fold stratified group CV × {args.repeats}:")  # fmt: skip
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
    print(f"{time.perf_counter() - t0:.0f} s; {platform.machine()}, Python {platform.python_version()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
