"""Write the issue-23 urgency sets (SYNTHETIC) from cases_v2.py into shequ/appeals/data/.

    .venv/bin/python bench/urgency/make_sets.py [--seed 23]

Every core sentence appears as written and in three seeded variants: wrapped (a place, an opener, a request),
long (the sentence buried between ordinary sentences about the estate), and with typos (homophones people type
on a phone: 煤汽, 着伙, 店梯 …; only where one applies). Cores are never shared between the two files: the
held-out file is other sentences, not other wrappings of the same ones. One line per text:
{"synthetic": true, "text", "urgent": bool, "kind", "core": n}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_train3 import FILLERS_3, NOT_URGENT_TRAIN_3, URGENT_TRAIN_3
from cases_v2 import (
    NOT_URGENT_HELDOUT,
    NOT_URGENT_TRAIN,
    NOT_URGENT_TRAIN_2,
    URGENT_HELDOUT,
    URGENT_TRAIN,
    URGENT_TRAIN_2,
    composed_near_misses,
    old_bench_dev,
)
from cases_v3 import rows as v3_rows

OUT = Path(__file__).resolve().parents[2] / "shequ" / "appeals" / "data"
PLACES = [
    "华富街道莲花北村",
    "我们小区",
    "福田区彩田路附近",
    "南山区粤海街道",
    "宝安区西乡",
    "龙华民治这边",
    "梅林一村7栋",
    "",
]
OPENERS = ["你好，", "喂，", "反映一下：", "麻烦问下，", "我是住户，", "", ""]
URGENT_OPENERS = ["紧急！", "快点来人！", "救命，"]
ENDINGS = ["", "。", "，请尽快处理。", "，谢谢。", "，麻烦看看。", "！！", "，在线等"]
FILLERS = [
    "我在这个小区住了十几年了",
    "平时物业管得还可以",
    "之前也反映过几次停车的问题",
    "今天是周末家里人都在",
    "我下班刚回来",
    "小区最近在搞改造到处是围挡",
    "楼下的快递柜一直很满",
    "我们这栋楼老人比较多",
    "昨天晚上下了一场雨",
    "楼上邻居刚搬来不久",
    "我们已经打过物业电话了",
    "顺便说一下绿化也该修剪了",
]
TYPOS = {
    "煤气": "媒气",
    "着火": "着伙",
    "电梯": "店梯",
    "天然气": "天燃气",
    "被困": "被捆",
    "漏气": "露气",
    "摔倒": "摔到",
    "晕倒": "晕到",
    "救命": "求命",
    "楼顶": "楼鼎",
    "电线": "电钱",
    "井盖": "井概",
    "塌": "榻",
    "燃气": "然气",
}


# Round 3's typos, tried before the others: more homophones typed on a phone.
TYPOS_3 = {
    "流血": "留血",
    "漏电": "露电",
    "火灾": "火栽",
    "倒塌": "倒踏",
    "溺水": "腻水",
    "抽搐": "抽出",
    "窒息": "至息",
    "淹": "掩",
    "晕倒": "昏到",
    "摔": "率",
}


def wrap(rng: random.Random, text: str, urgent: bool) -> str:
    openers = OPENERS + (URGENT_OPENERS if urgent else [])
    place = rng.choice(PLACES)
    return f"{rng.choice(openers)}{place}{'，' if place else ''}{text}{rng.choice(ENDINGS)}"


def long(rng: random.Random, text: str) -> str:
    a, b, c = rng.sample(FILLERS, 3)
    return f"{a}，{b}。{text}。{c}" + rng.choice(["，希望有人管管。", "。", "，谢谢。"])


def long3(rng: random.Random, text: str) -> str:
    a, b, c = rng.sample(FILLERS_3, 3)
    return f"{a}。{text.rstrip('。')}，{b}。{c}" + rng.choice(["。", "，谢谢。", "！"])


def typo(text: str, typos: dict[str, str] = TYPOS) -> str | None:
    for right, wrong in typos.items():
        if right in text:
            return text.replace(right, wrong, 1)
    return None


def rows_of(
    rng: random.Random, cases: dict[str, list[str]], urgent: bool, core: int, *, round_3: bool = False
) -> tuple[list[dict], int]:
    rows: list[dict] = []
    for kind, texts in cases.items():
        for text in texts:
            core += 1
            if round_3:
                variants = [text, wrap(rng, text, urgent), long3(rng, text), typo(text, {**TYPOS_3, **TYPOS})]
            else:
                variants = [text, wrap(rng, text, urgent), long(rng, text), typo(text)]
            for v in dict.fromkeys(v for v in variants if v):
                rows.append({"synthetic": True, "text": v, "urgent": urgent, "kind": kind, "core": core})
    return rows, core


def merge(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in parts:
        for kind, texts in part.items():
            out.setdefault(kind, []).extend(t for t in texts if t not in out.get(kind, []))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=23)
    args = p.parse_args()
    rng = random.Random(args.seed)
    core = 0
    old_urgent, old_other = old_bench_dev()
    urgent_train = merge(URGENT_TRAIN, old_urgent)
    other_train = merge(NOT_URGENT_TRAIN, old_other, composed_near_misses())
    for name, urgent_cases, other_cases in (
        ("urgency_train.jsonl", urgent_train, other_train),
        ("urgency_heldout.jsonl", URGENT_HELDOUT, NOT_URGENT_HELDOUT),
    ):
        a, core = rows_of(rng, urgent_cases, True, core)
        b, core = rows_of(rng, other_cases, False, core)
        rows = a + b
        (OUT / name).write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        print(f"{name}: {len(rows)} texts ({len(a)} urgent, {len(b)} not)")
    # Round 2 (training only) comes after the held-out file, with an RNG of its own: adding to the training file
    # changes neither a held-out text nor a held-out core number.
    rng2 = random.Random(args.seed * 1000 + 2)
    a, core = rows_of(rng2, URGENT_TRAIN_2, True, core)
    b, core = rows_of(rng2, NOT_URGENT_TRAIN_2, False, core)
    for r in a + b:
        r["round"] = 2  # tune.py trains on them in every fold but measures on the first round's sentences
    with (OUT / "urgency_train.jsonl").open("a", encoding="utf-8") as out:
        out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in a + b))
    print(f"urgency_train.jsonl, round 2: +{len(a) + len(b)} texts ({len(a)} urgent, {len(b)} not)")
    # Round 3 (training only), written after held-out set v3 was committed: again an RNG of its own, appended.
    # No sentence may share a run of six characters with a v3 text (a paraphrase of the blind test).
    v3 = [r["text"] for r in v3_rows()]
    for sentence in [t for part in (URGENT_TRAIN_3, NOT_URGENT_TRAIN_3) for ts in part.values() for t in ts]:
        shared = [v for v in v3 if any(sentence[i : i + 6] in v for i in range(len(sentence) - 5))]
        if shared:
            raise SystemExit(f"round 3 sentence {sentence!r} shares six characters with v3's {shared[0]!r}")
    rng3 = random.Random(args.seed * 1000 + 3)
    a, core = rows_of(rng3, URGENT_TRAIN_3, True, core, round_3=True)
    b, core = rows_of(rng3, NOT_URGENT_TRAIN_3, False, core, round_3=True)
    for r in a + b:
        r["round"] = 3
    with (OUT / "urgency_train.jsonl").open("a", encoding="utf-8") as out:
        out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in a + b))
    print(f"urgency_train.jsonl, round 3: +{len(a) + len(b)} texts ({len(a)} urgent, {len(b)} not)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
