"""Stratified train/test split of a labelled .jsonl file, for `dispatch_model evaluate`.

    python bench/dispatch/split.py ../shared/data/appeals_tipdm2020_dev.jsonl /tmp/tipdm --test-size 0.2 --seed 0

writes /tmp/tipdm/train.jsonl and /tmp/tipdm/test.jsonl. Write evaluation-only data OUTSIDE the repository (the
TipDM file must never be copied into it): the script refuses an output directory inside the repository.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--label-field", default="label")
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = args.out.resolve()
    if out == REPO or REPO in out.parents:
        raise SystemExit(f"refusing to write inside the repository: {out}")
    by_label: dict[str, list[str]] = defaultdict(list)
    with args.data.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                by_label[str(json.loads(line).get(args.label_field))].append(line.rstrip("\n"))
    rng = random.Random(args.seed)
    train, test = [], []
    for label in sorted(by_label):
        lines = by_label[label]
        rng.shuffle(lines)
        cut = round(len(lines) * args.test_size)
        test.extend(lines[:cut])
        train.extend(lines[cut:])
    rng.shuffle(train)
    rng.shuffle(test)
    out.mkdir(parents=True, exist_ok=True)
    (out / "train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    (out / "test.jsonl").write_text("\n".join(test) + "\n", encoding="utf-8")
    print(f"{len(train)} train, {len(test)} test rows in {out}")


if __name__ == "__main__":
    main()
