"""Dispatch-model predictions per second, one text per call and in one batch, on one core: the working tree's
classifier against the classifier of an earlier revision (the baseline), interleaved in the same run; and the
macro-F1 of both on the same held-out texts.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python bench/dispatch/single.py \\
        --train /tmp/tipdm/train.jsonl --test /tmp/tipdm/test.jsonl --before fd04cfb~1

The train/test files are split.py's (written outside the repository: the TipDM file is for evaluation only).

1. One model is trained with the working tree's code and goes through dumps()/loads() as a worker loads it. The
   baseline is the same model in the baseline's code: `shequ/dispatch/classifier.py` of `--before` is read with
   `git show` and imported as a module of its own, and the fitted state is handed to it in the layout that code
   stored (`coef_` row-major, labels × features). Same weights, same vocabulary, same temperature: only the code
   that predicts differs.
2. Both score every test text one per call and as one batch; the bench reports the largest score difference, the
   texts whose top label differs, and macro-F1 / accuracy of each (shequ.dispatch.evaluation.metrics, the
   function `manage.py dispatch_model evaluate` reports with).
3. Speed: `--rounds` rounds; each times every path over all test texts (`predict_top(k=3)`, what intake and
   suggestions call), the order of the paths rotated from round to round, wall clock and CPU time of the process;
   reported as the median round, the best round (wall) and the median per CPU-second (the one-core figure when
   other work shares the core).
   Also the model's part of a suggestion: predict_top of one text and `explain` of its top three labels (jieba
   included; no database), on the first `--suggest-n` texts. The process is pinned to one CPU and the BLAS pools
   to one thread (evaluation.one_core), so a figure is a one-core figure; the other core stays with whatever else
   runs on the machine. The ratios are per round (both versions measured minutes apart at most, under the same
   load), then their median.

Writes results/<time>.json and .md beside this file; prints the .md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.benchenv import loadavg, log, new_report, uptime  # noqa: E402
from shequ.dispatch.classifier import TextClassifier, content_words  # noqa: E402
from shequ.dispatch.datasets import read_labelled  # noqa: E402
from shequ.dispatch.evaluation import metrics, one_core  # noqa: E402


def baseline_module(rev: str):
    """`shequ/dispatch/classifier.py` as it was at `rev`, imported under a name of its own."""
    source = subprocess.run(
        ["git", "show", f"{rev}:shequ/dispatch/classifier.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    spec = importlib.util.spec_from_loader("dispatch_classifier_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    exec(compile(source, f"{rev}:shequ/dispatch/classifier.py", "exec"), module.__dict__)  # noqa: S102
    return module, sha


def as_baseline(model: TextClassifier, module) -> object:
    """The fitted model handed to the baseline's code, in the layout its fit() left: C-ordered labels × features."""
    old = module.TextClassifier(model.config)
    expected = set(vars(old))
    assert model.vocab is not None and model.coef_ is not None
    old.classes_ = list(model.classes_)
    old.vocab = module._Vocabulary(model.vocab.hashes, model.vocab.weights, model.vocab.bits)
    old.vocab.table()
    old.context_vocab = dict(model.context_vocab)
    old.coef_ = np.ascontiguousarray(model.coef_, dtype=np.float32)
    old.intercept_ = model.intercept_.copy() if model.intercept_ is not None else None
    old.temperature_ = model.temperature_
    old.fit_info = dict(model.fit_info)
    missing = expected - set(vars(old))
    if missing:
        raise SystemExit(
            f"the baseline's classifier has state this bench does not hand over: {sorted(missing)}"
        )
    return old


def one_per_call(model, texts: list[str]) -> list[list[tuple[str, float]]]:
    return [model.predict_top([t], k=3)[0] for t in texts]


def batch(model, texts: list[str]) -> list[list[tuple[str, float]]]:
    return model.predict_top(texts, k=3)


def suggestion(model, texts: list[str], forget: Callable[[], object] = lambda: None) -> None:
    # The model's part of services._suggest for the category: the top three, then the words of each. `forget`
    # empties the new code's segmentation cache before each text: every suggestion segments its text once, as a
    # new text would, not never (the same texts come back in every round).
    for t in texts:
        forget()
        for label, _ in model.predict_top([t], k=3)[0]:
            model.explain(t, label, k=5)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--text-fields", default="title,text")
    parser.add_argument("--label-field", default="label")
    parser.add_argument("--before", default="fd04cfb~1", help="git revision of the baseline classifier")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--suggest-n", type=int, default=60, help="texts for the suggestion timing (0: skip)")
    args = parser.parse_args()

    report = new_report("bench/dispatch/single.py", args)
    # GNU nproc honours OMP_NUM_THREADS, which the command sets to 1: ask it without.
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    report["machine"]["nproc"] = subprocess.run(
        ["nproc"], capture_output=True, text=True, env=env
    ).stdout.strip()
    fields = [f.strip() for f in args.text_fields.split(",") if f.strip()]
    train = read_labelled(args.train, text_fields=fields, label_field=args.label_field)
    test = read_labelled(args.test, text_fields=fields, label_field=args.label_field)
    texts, truth = list(test.texts), list(test.labels)
    labels = sorted(set(train.labels) | set(truth))
    module, sha = baseline_module(args.before)
    report["baseline"] = f"{args.before} ({sha}) shequ/dispatch/classifier.py"
    report["texts"] = {"train": len(train), "test": len(texts)}

    with one_core() as pinned:
        report["pinned"] = pinned
        log(f"training on {len(train)} texts (one core)")
        fitted = TextClassifier().fit(train.texts, train.labels)
        new = TextClassifier.loads(fitted.dumps())
        old = as_baseline(new, module)

        # --- the same answers ----------------------------------------------------------------------------------
        s_old_batch = old.decision_function(texts)
        s_new_single = np.vstack([new.decision_function([t]) for t in texts])
        s_new_batch = new.decision_function(texts)
        s_old_single = np.vstack([old.decision_function([t]) for t in texts])
        answers = {
            "baseline, batch": batch(old, texts),
            "baseline, one per call": one_per_call(old, texts),
            "new, one per call": one_per_call(new, texts),
            "new, batch": batch(new, texts),
        }
        reference = answers["baseline, batch"]
        report["same_answers"] = {
            "max_abs_score_difference": {
                "new one per call vs baseline batch": float(np.abs(s_new_single - s_old_batch).max()),
                "new one per call vs baseline one per call": float(np.abs(s_new_single - s_old_single).max()),
                "new batch vs baseline batch": float(np.abs(s_new_batch - s_old_batch).max()),
            },
            "scores_bitwise_equal_to_baseline_batch": {
                "new one per call": bool((s_new_single == s_old_batch).all()),
                "new batch": bool((s_new_batch == s_old_batch).all()),
            },
            "top_label_differs_from_baseline_batch": {
                name: sum(a[0][0] != b[0][0] for a, b in zip(rows, reference, strict=True))
                for name, rows in answers.items()
            },
            "top3_differs_from_baseline_batch": {
                name: sum(
                    [lab for lab, _ in a] != [lab for lab, _ in b]
                    for a, b in zip(rows, reference, strict=True)
                )
                for name, rows in answers.items()
            },
        }
        few = texts[: args.suggest_n]
        report["same_answers"]["explanations_differ"] = sum(
            old.explain(t, label, k=5) != new.explain(t, label, k=5)
            for t in few
            for label, _ in new.predict_top([t], k=3)[0]
        )
        report["quality"] = {
            name: {
                k: v
                for k, v in metrics(truth, [row[0][0] for row in rows], labels).items()
                if k in ("macro_f1", "accuracy")
            }
            for name, rows in answers.items()
        }

        # --- speed ---------------------------------------------------------------------------------------------
        paths: dict[str, tuple[Callable[[], object], int]] = {
            "baseline, one per call": (lambda: one_per_call(old, texts), len(texts)),
            "new, one per call": (lambda: one_per_call(new, texts), len(texts)),
            "baseline, batch": (lambda: batch(old, texts), len(texts)),
            "new, batch": (lambda: batch(new, texts), len(texts)),
        }
        if few:
            new.explain(few[0], new.classes_[0])  # jieba's one-off initialisation, outside the timing
            paths["baseline, suggestion"] = (lambda: suggestion(old, few), len(few))
            paths["new, suggestion"] = (lambda: suggestion(new, few, content_words.cache_clear), len(few))
        names = list(paths)
        for name in names:  # warm-up: first-call allocations, caches
            fn, _ = paths[name]
            fn()
        rounds: list[dict] = []
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            row: dict = {"load_before": loadavg()}
            for name in order:
                fn, n = paths[name]
                wall, cpu = timed(fn)
                row[name] = {"per_second": n / wall, "per_cpu_second": n / cpu if cpu else None}
            row["load_after"] = loadavg()
            rounds.append(row)
            log(
                f"round {r + 1}/{args.rounds}: "
                + ", ".join(f"{name} {row[name]['per_second']:.0f}/s" for name in names)
                + f" (load {row['load_before']} → {row['load_after']})"
            )
    report["rounds"] = rounds

    def median(name: str, key: str) -> float:
        return statistics.median(row[name][key] for row in rounds)

    def ratios(new_name: str, old_name: str, key: str) -> list[float]:
        return [row[new_name][key] / row[old_name][key] for row in rounds]

    summary: dict = {}
    for name in names:
        summary[name] = {
            "per_second": median(name, "per_second"),
            # The least disturbed round: on a core shared with other people's work, the nearest to an idle core.
            "per_second_best": max(row[name]["per_second"] for row in rounds),
            "per_cpu_second": median(name, "per_cpu_second"),
        }
    for kind in ("one per call", "batch", "suggestion"):
        if f"new, {kind}" in paths:
            for key in ("per_second", "per_cpu_second"):
                rs = ratios(f"new, {kind}", f"baseline, {kind}", key)
                summary[f"ratio new/baseline, {kind}, {key}"] = {
                    "median": statistics.median(rs),
                    "min": min(rs),
                    "max": max(rs),
                }
    report["summary"] = summary
    report["uptime_after"] = uptime()
    log(report["uptime_after"])

    stamp = time.strftime("%Y%m%d-%H%M%SZ", time.gmtime())
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{stamp}-single.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    md = markdown(report, names)
    (out / f"{stamp}-single.md").write_text(md, encoding="utf-8")
    print(md)


def markdown(report: dict, names: list[str]) -> str:
    m = report["machine"]
    lines = [
        "# Dispatch model: one text per call against one batch, working tree against the baseline",
        "",
        f"`{report['command']}`",
        "",
        f"machine: {m['nproc']} cores (`nproc`), {m['cpu']}, {m['memory']}, {m['python']}; pinned to one core "
        f"and one BLAS thread. `{report['uptime_before']}` → `{report['uptime_after']}`",
        f"baseline: {report['baseline']}; {report['texts']['train']} training texts, {report['texts']['test']} test "
        f"texts, {len(report['rounds'])} interleaved rounds",
        "",
        "| path | per second (wall), median | best round | per CPU-second, median | macro-F1 | accuracy "
        "| top label ≠ baseline |",
        "|---|---|---|---|---|---|---|",
    ]
    s, q = report["summary"], report["quality"]
    differs = report["same_answers"]["top_label_differs_from_baseline_batch"]
    for name in names:
        quality = q.get(name, {})
        lines.append(
            f"| {name} | {s[name]['per_second']:,.0f} | {s[name]['per_second_best']:,.0f} | "
            f"{s[name]['per_cpu_second']:,.0f} | "
            f"{quality.get('macro_f1', '—')} | {quality.get('accuracy', '—')} | {differs.get(name, '—')} |"
        )
    lines += ["", "| ratio new / baseline (per round) | median | min–max |", "|---|---|---|"]
    for key, value in s.items():
        if key.startswith("ratio"):
            lines.append(
                f"| {key[len('ratio new/baseline, ') :]} | {value['median']:.2f} | "
                f"{value['min']:.2f}–{value['max']:.2f} |"
            )
    same = report["same_answers"]
    lines += [
        "",
        "largest score difference: "
        + "; ".join(f"{k} {v:.2e}" for k, v in same["max_abs_score_difference"].items()),
        "bitwise equal to the baseline's batch scores: "
        + "; ".join(f"{k} {v}" for k, v in same["scores_bitwise_equal_to_baseline_batch"].items()),
        f"explanations (top three labels of the suggestion texts) that differ from the baseline's: "
        f"{same['explanations_differ']}",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
