"""Precision and recall of the duplicate detector (并单) on the SYNTHETIC labelled set, with a threshold sweep.

    .venv/bin/python bench/duplicates/generate.py            # writes bench/duplicates/labelled.jsonl (seeded)
    .venv/bin/python bench/duplicates/evaluate.py [--data …] [--threshold T] [--variants] [--json out.json]

Runs the real detector, `shequ.dispatch.duplicates.score_candidates`, the function the intake service calls,
with the windows and threshold of config/settings/base.py: each scene's new appeal against its whole pool (so the
TF-IDF document frequencies are fitted as at intake). A pair the detector does not even consider (too far, too
old, another category family) scores 0. The database is not used: the candidate query only pre-selects what
`score_candidates` checks again (tested in shequ/dispatch/tests/test_duplicates.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from shequ.dispatch import duplicates  # noqa: E402

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def facts(row: dict) -> duplicates.Facts:
    return duplicates.Facts(
        pk=row["id"],
        text=row["text"],
        category=row["category"],
        group=row["group"],
        created_at=T0 - timedelta(hours=row["hours_before"]),
        lat=row["lat"],
        lng=row["lng"],
        community_path=f"/{row['community']}/",
    )


def score_all(rows: list[dict], similarity=duplicates.text_similarities) -> list[float]:
    """The detector's score for every labelled pair (0 when it does not consider the pair)."""
    scenes: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        scenes[row["scene"]].append(row)
    scores: dict[tuple[int, int], float] = {}
    for pairs in scenes.values():
        new = facts(pairs[0]["new"])
        for s in duplicates.score_candidates(new, [facts(p["other"]) for p in pairs], similarity=similarity):
            scores[(new.pk, s.other.pk)] = s.score  # type: ignore[index]
    return [scores.get((r["new"]["id"], r["other"]["id"]), 0.0) for r in rows]


def confusion(labels: list[int], scores: list[float], threshold: float) -> dict:
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if y and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if not y and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores, strict=True) if y and s < threshold)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"threshold": threshold, "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}


def sweep(labels: list[int], scores: list[float]) -> list[dict]:
    return [confusion(labels, scores, round(t / 100, 2)) for t in range(5, 81, 5)]


def best(labels: list[int], scores: list[float]) -> dict:
    return max(
        (confusion(labels, scores, t / 100) for t in range(1, 100)), key=lambda c: (c["f1"], c["threshold"])
    )


def by_kind(rows: list[dict], scores: list[float], threshold: float) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for kind in sorted({r["kind"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["kind"] == kind]
        flagged = sum(1 for i in idx if scores[i] >= threshold)
        considered = sum(1 for i in idx if scores[i] > 0)
        out[kind] = {
            "pairs": len(idx),
            "considered": considered,
            "flagged": flagged,
            "share": flagged / len(idx),
        }
    return out


def top_one(rows: list[dict], scores: list[float], threshold: float) -> dict:
    """Per scene with a duplicate: is it the first thing the dispatcher is shown (flagged and ranked first)?"""
    scenes: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for r, s in zip(rows, scores, strict=True):
        scenes[r["scene"]].append((s, r["label"]))
    with_dup = [v for v in scenes.values() if any(label for _, label in v)]
    first = sum(1 for v in with_dup if max(v)[1] == 1 and max(v)[0] >= threshold)
    without = [v for v in scenes.values() if not any(label for _, label in v)]
    quiet = sum(1 for v in without if all(s < threshold for s, _ in v))
    return {"scenes_with_duplicate": len(with_dup), "duplicate_shown_first": first,
            "scenes_without": len(without), "nothing_shown": quiet}  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(Path(__file__).with_name("labelled.jsonl")))
    p.add_argument("--threshold", type=float, default=None, help="default: SHEQU_DUPLICATE_THRESHOLD")
    p.add_argument(
        "--variants", action="store_true", help="also compare other text measures on the same pairs"
    )
    p.add_argument("--json", default=None)
    args = p.parse_args()
    rows = [json.loads(line) for line in Path(args.data).read_text(encoding="utf-8").splitlines() if line]
    assert all(r["synthetic"] for r in rows), "the labelled set is synthetic and says so"
    labels = [r["label"] for r in rows]
    threshold = args.threshold if args.threshold is not None else duplicates.threshold()
    scores = score_all(rows)
    at = confusion(labels, scores, threshold)
    top = best(labels, scores)
    print(f"{len(rows)} pairs ({sum(labels)} duplicates) in {len({r['scene'] for r in rows})} scenes; "
          f"windows: {settings.SHEQU_DUPLICATE_WINDOWS}")  # fmt: skip
    print(f"\nAt the threshold {threshold:.2f}: precision {at['precision']:.3f}  recall {at['recall']:.3f}  "
          f"F1 {at['f1']:.3f}  (tp {at['tp']}, fp {at['fp']}, fn {at['fn']})")  # fmt: skip
    print(f"Best F1 on this set: {top['f1']:.3f} at {top['threshold']:.2f} "
          f"(precision {top['precision']:.3f}, recall {top['recall']:.3f})")  # fmt: skip
    print("\n| threshold | precision | recall | F1 | tp | fp | fn |\n|---|---|---|---|---|---|---|")
    for c in sweep(labels, scores):
        print(f"| {c['threshold']:.2f} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | "
              f"{c['tp']} | {c['fp']} | {c['fn']} |")  # fmt: skip
    t1 = top_one(rows, scores, threshold)
    print(f"\nScenes with a duplicate where it is flagged and ranked first: {t1['duplicate_shown_first']} of "
          f"{t1['scenes_with_duplicate']}; scenes without one where nothing is flagged: {t1['nothing_shown']} of "
          f"{t1['scenes_without']}")  # fmt: skip
    kinds = by_kind(rows, scores, threshold)
    print(f"\nBy kind at {threshold:.2f} (considered: passed the category, place and time filters)\n"
          "| kind | pairs | considered | flagged | flagged share |\n|---|---|---|---|---|")  # fmt: skip
    for kind, k in kinds.items():
        print(f"| {kind} | {k['pairs']} | {k['considered']} | {k['flagged']} | {k['share']:.1%} |")
    result = {"threshold": threshold, "at_threshold": at, "best": top, "by_kind": kinds, "top_one": t1}
    if args.variants:
        print("\nText measures on the same pairs (best-F1 threshold of each)\n"
              "| measure | best F1 | at | precision | recall |\n|---|---|---|---|---|")  # fmt: skip
        variants = {
            "char 1–2-grams, sublinear tf (chosen)": partial(
                duplicates.text_similarities, ngram_range=(1, 2)
            ),
            "char 1-grams": partial(duplicates.text_similarities, ngram_range=(1, 1)),
            "char 2–3-grams": partial(duplicates.text_similarities, ngram_range=(2, 3)),
            "char 1–3-grams": partial(duplicates.text_similarities, ngram_range=(1, 3)),
            "char 2-grams": partial(duplicates.text_similarities, ngram_range=(2, 2)),
            "char 2–4-grams": partial(duplicates.text_similarities, ngram_range=(2, 4)),
            "char 1–2-grams, raw tf": partial(
                duplicates.text_similarities, ngram_range=(1, 2), sublinear_tf=False
            ),
        }
        result["variants"] = {}
        for name, fn in variants.items():
            b = best(labels, score_all(rows, fn))
            result["variants"][name] = b
            print(
                f"| {name} | {b['f1']:.3f} | {b['threshold']:.2f} | {b['precision']:.3f} | {b['recall']:.3f} |"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
