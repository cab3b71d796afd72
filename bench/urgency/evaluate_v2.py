"""Issue 23: recall, false alarms and the confusion by kind of `shequ.appeals.urgency`, rule layer alone and both
layers, on the held-out SYNTHETIC set (never trained on), in one run.

    .venv/bin/python bench/urgency/evaluate_v2.py [--errors] [--data shequ/appeals/data/urgency_heldout.jsonl]

The learned layer is trained from shequ/appeals/data/urgency_train.jsonl as in production (at first use). Also
printed: tune.py's stratified 5-fold cross-validation on the training file by core sentence (a core's variants
stay in one fold), which says how much the held-out figure may move with other sentences. `--errors` lists the
held-out texts judged wrong with their kind; read them to report, never to change the detector or its data.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from shequ.appeals import urgency  # noqa: E402  (plain Python + scikit-learn: no Django needed)

KINDS = list(urgency.KIND_LABELS)


def judge(rows: list[dict], *, learned: bool) -> list[urgency.Assessment]:
    return [urgency.assess(r["text"], use_learned=learned) for r in rows]


def summary(name: str, rows: list[dict], verdicts: list[urgency.Assessment]) -> None:
    tp = sum(v.emergency and r["urgent"] for r, v in zip(rows, verdicts, strict=True))
    fn = sum(not v.emergency and r["urgent"] for r, v in zip(rows, verdicts, strict=True))
    fp = sum(v.emergency and not r["urgent"] for r, v in zip(rows, verdicts, strict=True))
    tn = len(rows) - tp - fn - fp
    cores = {r["core"] for r in rows}
    print(f"| {name} | {len(rows)} ({len(cores)} sentences) | {tp / (tp + fn):.3f} ({tp}/{tp + fn}) "
          f"| {fp / (fp + tn):.3f} ({fp}/{fp + tn}) | {tp / max(tp + fp, 1):.3f} |")  # fmt: skip


def by_kind(rows: list[dict], rule: list[urgency.Assessment], both: list[urgency.Assessment]) -> None:
    print("\n| kind | urgent texts | recall rules | recall both | kind named right (both) | near misses | "
          "false alarms rules | false alarms both |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for kind in [*KINDS, "ordinary"]:
        idx_u = [i for i, r in enumerate(rows) if r["kind"] == kind and r["urgent"]]
        idx_n = [i for i, r in enumerate(rows) if r["kind"] == kind and not r["urgent"]]
        right = sum(both[i].emergency and both[i].kind == kind for i in idx_u)
        print(
            f"| {kind} | {len(idx_u)} | {sum(rule[i].emergency for i in idx_u)} | {sum(both[i].emergency for i in idx_u)}"
            f" | {right} | {len(idx_n)} | {sum(rule[i].emergency for i in idx_n)} | {sum(both[i].emergency for i in idx_n)} |"
        )


def confusion(rows: list[dict], both: list[urgency.Assessment]) -> None:
    """Rows: the true kind of urgent texts; columns: the kind the detector named (— : not flagged)."""
    cols = [*KINDS, "—"]
    table: dict[str, Counter] = defaultdict(Counter)
    for r, v in zip(rows, both, strict=True):
        if r["urgent"]:
            table[r["kind"]][v.kind if v.emergency else "—"] += 1
    short = {k: k[:6] for k in cols}
    print("\n| true \\ named | " + " | ".join(short[c] for c in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for kind in KINDS:
        print(f"| {kind} | " + " | ".join(str(table[kind][c] or "") for c in cols) + " |")


def cross_validate(rows: list[dict], folds: int = 5) -> None:
    """tune.py's stratified group cross-validation on the training file (one draw), at urgency.THRESHOLD."""
    import numpy as np
    from tune import gates, out_of_fold

    first = [r for r in rows if r.get("round", 1) == 1]  # measured; the second round only trains
    y = np.array([bool(r["urgent"]) for r in first])
    rule, learned = gates(first)
    flagged = rule | (learned & (out_of_fold(rows, folds=folds, seed=0) >= urgency.THRESHOLD))
    print(f"\n{folds}-fold stratified group CV on the training file (both layers, threshold {urgency.THRESHOLD}): "
          f"recall {(flagged & y).sum() / y.sum():.3f}, false alarms {(flagged & ~y).sum() / (~y).sum():.3f} "
          f"({len(first)} first-round texts)")  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(urgency.DATA / "urgency_heldout.jsonl"))
    p.add_argument("--errors", action="store_true")
    p.add_argument("--no-cv", action="store_true")
    args = p.parse_args()
    rows = urgency.training_rows(Path(args.data))
    assert all(r["synthetic"] for r in rows)
    train_texts = {r["text"] for r in urgency.training_rows()}
    print(f"held-out texts also in the training file: {sum(r['text'] in train_texts for r in rows)}")
    t = time.perf_counter()
    urgency.model()
    trained = time.perf_counter() - t
    rule = judge(rows, learned=False)
    t = time.perf_counter()
    both = judge(rows, learned=True)
    per_text = (time.perf_counter() - t) / len(rows)
    print("\n| layers | texts | recall | false alarms | precision |\n|---|---|---|---|---|")
    summary("rules", rows, rule)
    summary("rules + model", rows, both)
    by_kind(rows, rule, both)
    confusion(rows, both)
    if not args.no_cv:
        cross_validate(urgency.training_rows())
    print(f"\ntraining at first use {trained:.2f} s; {per_text * 1000:.2f} ms a text (both layers); "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")  # fmt: skip
    if args.errors:
        print("\nMisjudged (both layers):")
        for r, v in zip(rows, both, strict=True):
            if v.emergency != r["urgent"]:
                print(f"  {'MISSED' if r['urgent'] else 'FALSE ALARM'} ({r['kind']}) {r['text']}"
                      f"  [{v.reason or f'score {v.score:.2f}'}]")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
