"""The urgency labelled set (SYNTHETIC): hand-written cores (cases.py) in a few seeded wrappings.

    .venv/bin/python bench/urgency/generate.py [--seed 5] [--out bench/urgency/labelled.jsonl]

Each core appears as written and in up to two wrappings (a place before it, an opener, a request after it), so
the texts vary in length and surroundings while the label stays the core's. One line per text:
{"synthetic": true, "split": "dev"|"holdout", "text", "urgent": bool, "kind", "core": n}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import NOT_URGENT_DEV, NOT_URGENT_HOLDOUT, URGENT_DEV, URGENT_HOLDOUT

PLACES = [
    "华富街道莲花北村",
    "我们小区",
    "福田区彩田路附近",
    "南山区粤海街道科技园",
    "宝安区西乡",
    "龙华民治这边",
    "",
]
OPENERS = ["你好，", "紧急情况！", "反映一下：", "我要投诉，", "请问，", ""]
ENDINGS = ["", "。", "，请尽快处理。", "，谢谢。", "，麻烦看看。", "！！"]


def wrap(rng: random.Random, text: str, urgent: bool) -> str:
    # "紧急情况！" only before urgent texts: a resident does not shout about a gas bill.
    openers = OPENERS if urgent else [o for o in OPENERS if "紧急" not in o]
    place = rng.choice(PLACES)
    return f"{rng.choice(openers)}{place}{'，' if place else ''}{text}{rng.choice(ENDINGS)}"


def generate(seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    seen: set[str] = set()
    sets = [("dev", URGENT_DEV, True), ("dev", NOT_URGENT_DEV, False),
            ("holdout", URGENT_HOLDOUT, True), ("holdout", NOT_URGENT_HOLDOUT, False)]  # fmt: skip
    core = 0
    for split, cases, urgent in sets:
        for text, kind in cases:
            core += 1
            variants = [text, wrap(rng, text, urgent), wrap(rng, text, urgent)]
            for v in variants:
                if v in seen:
                    continue
                seen.add(v)
                rows.append({"synthetic": True, "split": split, "text": v, "urgent": urgent, "kind": kind,
                             "core": core})  # fmt: skip
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--out", default=str(Path(__file__).with_name("labelled.jsonl")))
    args = p.parse_args()
    rows = generate(args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    urgent = sum(r["urgent"] for r in rows)
    print(f"{len(rows)} texts ({urgent} urgent, {len(rows) - urgent} not) → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
