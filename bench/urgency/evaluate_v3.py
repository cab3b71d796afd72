"""Issue 23, third pass: the ONE evaluation on held-out set v3 (bench/urgency/cases_v3.py, committed before the
detector was changed), in one run. Not for tuning: whatever it shows, nothing is changed after it on its account
(bench/urgency/RESULTS.md says the order of events).

    .venv/bin/python bench/urgency/evaluate_v3.py [--baseline 526d7ba]

For each detector — this one (shequ/appeals/urgency.py, trained from the training file as in production) and,
for comparison, the baseline (urgency.py and the training file as they were at the commit that added v3) — and
each set — v3 (blind) and the first held-out file (seen: looked at twice in the second pass, figures an upper
bound) — the rule layer alone and both layers: recall, false alarms, precision; by kind (recall, kind named
right, number 110/119/120 right, near misses flagged); the confusion of kinds; by style (v3). Then, for this
detector on v3, every missed and every false-alarm text, by kind. Writes results/<time>-v3.md and .json beside
this file and prints the .md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from shequ.appeals import urgency  # noqa: E402  (plain Python + scikit-learn: no Django needed)

KINDS = list(urgency.KIND_LABELS)
V3 = urgency.DATA / "urgency_heldout_v3.jsonl"
V2 = urgency.DATA / "urgency_heldout.jsonl"


def baseline(commit: str, tmp: Path) -> ModuleType:
    """urgency.py and its training file as they were at `commit`, trained on that file."""
    for path in ("shequ/appeals/urgency.py", "shequ/appeals/data/urgency_train.jsonl"):
        text = subprocess.run(
            ["git", "show", f"{commit}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        (tmp / Path(path).name).write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("urgency_baseline", tmp / "urgency.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.use_model(module.train(module.training_rows(tmp / "urgency_train.jsonl")))
    return module


def summary(rows: list[dict], verdicts: list) -> dict:
    tp = sum(v.emergency and r["urgent"] for r, v in zip(rows, verdicts, strict=True))
    fn = sum(not v.emergency and r["urgent"] for r, v in zip(rows, verdicts, strict=True))
    fp = sum(v.emergency and not r["urgent"] for r, v in zip(rows, verdicts, strict=True))
    tn = len(rows) - tp - fn - fp
    return {"tp": tp, "fn": fn, "fp": fp, "tn": tn, "recall": tp / (tp + fn), "false_alarms": fp / (fp + tn),
            "precision": tp / max(tp + fp, 1)}  # fmt: skip


def by_kind(rows: list[dict], rule: list, both: list) -> list[str]:
    out = [
        "| kind | urgent texts | recall rules | recall both | kind named right (both) | number right (both) "
        "| near misses | false alarms rules | false alarms both |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in [*KINDS, "ordinary"]:
        iu = [i for i, r in enumerate(rows) if r["kind"] == kind and r["urgent"]]
        inn = [i for i, r in enumerate(rows) if r["kind"] == kind and not r["urgent"]]
        right = sum(both[i].emergency and both[i].kind == kind for i in iu)
        number = sum(
            both[i].emergency and urgency.KIND_CALL.get(both[i].kind) == urgency.KIND_CALL.get(kind)
            for i in iu
        )
        out.append(
            f"| {kind} | {len(iu)} | {sum(rule[i].emergency for i in iu)} | {sum(both[i].emergency for i in iu)} "
            f"| {right} | {number} | {len(inn)} | {sum(rule[i].emergency for i in inn)} "
            f"| {sum(both[i].emergency for i in inn)} |"
        )
    return out


def confusion(rows: list[dict], both: list) -> list[str]:
    cols = [*KINDS, "—"]
    table: dict[str, Counter] = defaultdict(Counter)
    for r, v in zip(rows, both, strict=True):
        if r["urgent"]:
            table[r["kind"]][v.kind if v.emergency else "—"] += 1
    out = ["| true \\ named | " + " | ".join(c[:6] for c in cols) + " |", "|---" * (len(cols) + 1) + "|"]
    out += [f"| {k} | " + " | ".join(str(table[k][c] or "") for c in cols) + " |" for k in KINDS]
    return out


def by_style(rows: list[dict], rule: list, both: list) -> list[str]:
    out = [
        "| style | urgent | found rules | found both | not urgent | false alarms rules | false alarms both |",
        "|---|---|---|---|---|---|---|",
    ]
    for style in sorted({r.get("style", "") for r in rows}):
        iu = [i for i, r in enumerate(rows) if r.get("style") == style and r["urgent"]]
        inn = [i for i, r in enumerate(rows) if r.get("style") == style and not r["urgent"]]
        out.append(
            f"| {style} | {len(iu)} | {sum(rule[i].emergency for i in iu)} | {sum(both[i].emergency for i in iu)} "
            f"| {len(inn)} | {sum(rule[i].emergency for i in inn)} | {sum(both[i].emergency for i in inn)} |"
        )
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", default="526d7ba", help="the commit whose detector is compared (v3 added)")
    args = p.parse_args()
    sets = {"v3 (blind)": urgency.training_rows(V3), "first held-out (seen)": urgency.training_rows(V2)}
    assert all(r["synthetic"] for rows in sets.values() for r in rows)
    train_texts = {r["text"] for r in urgency.training_rows()}
    overlap = {name: sum(r["text"] in train_texts for r in rows) for name, rows in sets.items()}
    t = time.perf_counter()
    urgency.model()
    trained = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        old = baseline(args.baseline, Path(tmp))
        detectors = {"this pass": urgency, f"baseline {args.baseline}": old}
        verdicts = {
            (d, s): (
                [m.assess(r["text"], use_learned=False) for r in rows],
                [m.assess(r["text"]) for r in rows],
            )
            for d, m in detectors.items()
            for s, rows in sets.items()
        }
    report: dict = {"command": " ".join(["bench/urgency/evaluate_v3.py", *sys.argv[1:]]), "results": {}}
    lines = [
        "# Urgency, issue 23 third pass: the one evaluation on held-out set v3",
        "",
        f"`{report['command']}`; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{platform.machine()}, Python {platform.python_version()}; training at first use {trained:.2f} s; "
        f"held-out texts also in the training file: {overlap}",
        "",
        "| detector | set | layers | texts | recall | false alarms | precision |",
        "|---|---|---|---|---|---|---|",
    ]
    for (d, s), (rule, both) in verdicts.items():
        rows = sets[s]
        for layers, v in (("rules", rule), ("rules + model", both)):
            f = summary(rows, v)
            report["results"][f"{d} | {s} | {layers}"] = f
            lines.append(
                f"| {d} | {s} | {layers} | {len(rows)} | {f['recall']:.3f} ({f['tp']}/{f['tp'] + f['fn']}) "
                f"| {f['false_alarms']:.3f} ({f['fp']}/{f['fp'] + f['tn']}) | {f['precision']:.3f} |"
            )
    for (d, s), (rule, both) in verdicts.items():
        lines += ["", f"## {d}, {s}: by kind", "", *by_kind(sets[s], rule, both)]
        lines += [
            "",
            "Confusion (rows: true kind of the urgent texts; columns: kind named, — not flagged):",
            "",
        ]
        lines += confusion(sets[s], both)
        if s.startswith("v3"):
            lines += ["", "By style:", "", *by_style(sets[s], rule, both)]
    rows = sets["v3 (blind)"]
    rule, both = verdicts[("this pass", "v3 (blind)")]
    lines += ["", "## This pass on v3: every text judged wrong (both layers), by kind", ""]
    wrong = []
    for kind in [*KINDS, "ordinary"]:
        for r, v in zip(rows, both, strict=True):
            if r["kind"] == kind and v.emergency != r["urgent"]:
                what = "MISSED" if r["urgent"] else "FALSE ALARM"
                why = v.reason or f"score {v.score:.2f}"
                wrong.append({"what": what, "kind": kind, "style": r.get("style"), "text": r["text"], "why": why,
                              "named": v.kind})  # fmt: skip
                lines.append(f"- {what} ({kind}, {r.get('style')}) {r['text']} [{why}]")
    report["wrong_v3"] = wrong
    md = "\n".join(lines) + "\n"
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    (out / f"{stamp}-v3.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / f"{stamp}-v3.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
