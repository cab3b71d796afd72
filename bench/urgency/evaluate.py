"""Precision and recall of `shequ.appeals.urgency.detect_urgency` on the SYNTHETIC labelled set.

    .venv/bin/python bench/urgency/generate.py     # writes bench/urgency/labelled.jsonl (seeded)
    .venv/bin/python bench/urgency/evaluate.py [--data …] [--errors] [--module path/to/urgency.py]

Prints, for the dev and holdout splits and overall: precision, recall and F1 of the class "urgent" and of the class
"not urgent", accuracy, and the recall (urgent kinds) or false-alarm rate (hard-negative kinds) per kind. With
`--errors`, every misjudged text and the phrase that matched. `--module` measures another version of urgency.py
(e.g. the one before this change: `git show 64238b4:shequ/appeals/urgency.py > /tmp/urgency_before.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shequ.appeals.urgency import detect_urgency  # plain Python: no Django needed


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def report(name: str, rows: list[dict]) -> dict:
    pred = [detect_urgency(r["text"]) is not None for r in rows]
    gold = [r["urgent"] for r in rows]
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    tn = len(rows) - tp - fp - fn
    up, ur, uf = prf(tp, fp, fn)
    np_, nr, nf = prf(tn, fn, fp)
    acc = (tp + tn) / len(rows)
    print(
        f"| {name} | {len(rows)} | {up:.3f} | {ur:.3f} | {uf:.3f} | {np_:.3f} | {nr:.3f} | {nf:.3f} | {acc:.3f} |"
    )
    return {"n": len(rows), "urgent": [up, ur, uf], "not_urgent": [np_, nr, nf], "accuracy": acc}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(Path(__file__).with_name("labelled.jsonl")))
    p.add_argument("--errors", action="store_true")
    p.add_argument("--module", default=None, help="another urgency.py to measure instead")
    args = p.parse_args()
    if args.module:
        import importlib.util

        spec = importlib.util.spec_from_file_location("urgency_under_test", args.module)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        global detect_urgency
        detect_urgency = module.detect_urgency
    rows = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line]
    assert all(r["synthetic"] for r in rows)
    print(
        "| split | texts | urgent P | urgent R | urgent F1 | not-urgent P | not-urgent R | not-urgent F1 | accuracy |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for split in ("dev", "holdout"):
        report(split, [r for r in rows if r["split"] == split])
    report("all", rows)
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(detect_urgency(r["text"]) is not None)
    print("\n| kind | texts | flagged urgent |\n|---|---|---|")
    for kind in sorted(by_kind):
        flags = by_kind[kind]
        print(f"| {kind} | {len(flags)} | {sum(flags)} ({sum(flags) / len(flags):.0%}) |")
    if args.errors:
        print("\nMisjudged:")
        for r in rows:
            hit = detect_urgency(r["text"])
            if (hit is not None) != r["urgent"]:
                print(f"  [{r['split']}] {'MISSED' if r['urgent'] else 'FALSE ALARM'} ({r['kind']}) {r['text']}"
                      f"{f'  ← {hit!r}' if hit else ''}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
