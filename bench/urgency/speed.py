"""Issue 23: time per text of `urgency.assess` at intake (one text per call), the direct path against
scikit-learn's, in the same run, on one core.

    .venv/bin/python bench/urgency/speed.py [--rounds 7]

1. The learned layer is trained as in production (at first use, from the training file).
2. Every labelled text (training file and both held-out files) is assessed by both paths; the bench stops
   unless every Assessment is equal (emergency, kind, source, reason, score to the last bit, words): the direct
   path is a speed path, not another detector.
3. `--rounds` rounds; each times both paths over all texts, one text per call, in alternating order; reported
   per text as the median round (wall and process CPU) and the median of the per-round ratios. Also the
   learned layer alone (probability of one text) and the rule layer alone, for where the time goes. The process
   is pinned to one CPU and the BLAS pools to one thread (shequ.dispatch.evaluation.one_core).

Writes results/<time>-speed.json and .md beside this file; prints the .md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.benchenv import new_report, uptime  # noqa: E402
from shequ.appeals import urgency  # noqa: E402
from shequ.dispatch.evaluation import one_core  # noqa: E402


def timed(fn: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for t in texts:
        fn(t)
    return (time.perf_counter() - wall) / len(texts), (time.process_time() - cpu) / len(texts)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    report = new_report("bench/urgency/speed.py", args)
    rows = [
        r
        for name in ("urgency_train.jsonl", "urgency_heldout.jsonl", "urgency_heldout_v3.jsonl")
        for r in urgency.training_rows(urgency.DATA / name)
    ]
    texts = [r["text"] for r in rows]
    with one_core() as pinned:
        report["pinned"] = pinned
        t = time.perf_counter()
        urgency.model()
        report["training_s"] = round(time.perf_counter() - t, 3)
        differ = [t for t in texts if urgency.assess(t, direct=True) != urgency.assess(t, direct=False)]
        if differ:
            raise SystemExit(f"the two paths differ on {len(differ)} texts, e.g. {differ[0]!r}")
        flagged = sum(urgency.assess(t).source == "model" for t in texts)
        paths: dict[str, Callable[[str], object]] = {
            "assess, direct": lambda t: urgency.assess(t, direct=True),
            "assess, scikit-learn": lambda t: urgency.assess(t, direct=False),
            "learned layer only, direct": lambda t: urgency._probability(t, direct=True),
            "learned layer only, scikit-learn": lambda t: urgency._probability(t, direct=False),
            "rule layer only": urgency.detect_rule,
        }
        for fn in paths.values():  # warm up
            for t in texts[:50]:
                fn(t)
        rounds: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
        names = list(paths)
        for i in range(args.rounds):
            for name in names if i % 2 == 0 else reversed(names):
                rounds[name].append(timed(paths[name], texts))
    ms = lambda s: round(s * 1000, 4)  # noqa: E731
    result = {
        name: {
            "wall_ms_median": ms(statistics.median(w for w, _ in r)),
            "cpu_ms_median": ms(statistics.median(c for _, c in r)),
            "wall_ms_best": ms(min(w for w, _ in r)),
        }
        for name, r in rounds.items()
    }

    def ratio(slow: str, fast: str) -> float:
        return round(
            statistics.median(s[1] / f[1] for s, f in zip(rounds[slow], rounds[fast], strict=True)),
            1,
        )

    report.update(
        texts=len(texts),
        by_learned_layer=flagged,
        results=result,
        ratio_cpu_assess=ratio("assess, scikit-learn", "assess, direct"),
        ratio_cpu_learned=ratio("learned layer only, scikit-learn", "learned layer only, direct"),
        uptime_after=uptime(),
    )
    lines = [
        "# urgency.assess, one text per call: direct path vs scikit-learn",
        "",
        f"`{report['command']}`",
        "",
        "; ".join(f"{k} {v}" for k, v in report["machine"].items())
        + f"; training at first use {report['training_s']} s; "
        f"load before: {report['uptime_before']}; after: {report['uptime_after']}",
        "",
        f"{len(texts)} labelled texts (training and both held-out files), units {urgency.UNITS}, "
        "identical Assessment on every one by both paths; "
        f"{flagged} made emergencies by the learned layer. {args.rounds} rounds, one core.",
        "",
        "| path | CPU ms a text (median round) | wall ms (median) | wall ms (best) |",
        "|---|---|---|---|",
        *(
            f"| {n} | {r['cpu_ms_median']} | {r['wall_ms_median']} | {r['wall_ms_best']} |"
            for n, r in result.items()
        ),
        "",
        f"scikit-learn / direct, CPU, median of the rounds' ratios: assess {report['ratio_cpu_assess']}x, "
        f"learned layer alone {report['ratio_cpu_learned']}x.",
    ]
    md = "\n".join(lines) + "\n"
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    (out / f"{stamp}-speed.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / f"{stamp}-speed.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
