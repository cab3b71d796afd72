"""Measuring a classifier: train/test evaluation and stratified k-fold cross-validation, as plain dicts.

Nothing here touches the database or storage: the evaluation commands may run on files that must never become a
stored model (the TipDM data are for evaluation only). Speed is measured on one core: the caller pins the
process and the BLAS pools (`one_core()`); `predictions_per_second` is wall-clock time of one batch predict_top
over every test text, `predictions_per_cpu_second` the same against the process's CPU time (steady when other
work shares the machine).
"""

from __future__ import annotations

import contextlib
import os
import platform
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .classifier import Config, TextClassifier


def metrics(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    true_labels = [i for i, lab in enumerate(labels) if lab in set(y_true)]
    return {
        # Macro over the labels that occur in the truth (sklearn's default would count predicted-only labels too).
        "macro_f1": round(float(np.mean(f[true_labels])), 4),
        "accuracy": round(float(np.mean(np.asarray(y_true) == np.asarray(y_pred))), 4),
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        },
        "confusion_matrix": {
            "labels": labels,
            "matrix": confusion_matrix(
                y_true, y_pred, labels=labels
            ).tolist(),  # rows: truth, columns: predicted
        },
    }


def threshold_report(
    y_true: Sequence[str], top: Sequence[Sequence[tuple[str, float]]], threshold: float
) -> dict:
    """What auto-dispatch at this threshold would do: share of texts above it and how often those are right."""
    confident = [
        (row[0][0] == truth) for truth, row in zip(y_true, top, strict=True) if row and row[0][1] >= threshold
    ]
    return {
        "threshold": threshold,
        "coverage": round(len(confident) / max(len(top), 1), 4),
        "accuracy_above": round(float(np.mean(confident)), 4) if confident else None,
        "top3_accuracy": round(
            float(
                np.mean([truth in [lab for lab, _ in row] for truth, row in zip(y_true, top, strict=True)])
            ),
            4,
        ),
    }


@contextlib.contextmanager
def one_core() -> Iterator[dict[str, Any]]:
    """Pin this process to one CPU and the BLAS/OpenMP pools to one thread, for honest single-core speed."""
    from threadpoolctl import threadpool_limits

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if before:
        os.sched_setaffinity(0, {min(before)})
    try:
        with threadpool_limits(limits=1):
            yield {"cpu_affinity": 1 if before else None}
    finally:
        if before:
            os.sched_setaffinity(0, before)


def machine() -> dict[str, Any]:
    model = platform.processor()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next(
                (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), model
            )
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
    }


def evaluate(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    *,
    config: Config | None = None,
    threshold: float = 0.85,
) -> dict[str, Any]:
    model = TextClassifier(config)
    started = time.perf_counter()
    model.fit(train_texts, train_labels)
    train_seconds = time.perf_counter() - started
    # Through a real file, as a worker would load it (a temporary one: evaluation models are never stored).
    blob = model.dumps()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.joblib")
        with open(path, "wb") as fh:
            fh.write(blob)
        started = time.perf_counter()
        with open(path, "rb") as fh:
            loaded = TextClassifier.loads(fh.read())
        load_seconds = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    top = loaded.predict_top(list(test_texts), k=3)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    predicted = [row[0][0] for row in top]
    labels = sorted(set(train_labels) | set(test_labels))
    return {
        **metrics(list(test_labels), predicted, labels),
        "auto_dispatch": threshold_report(list(test_labels), top, threshold),
        "train_rows": len(train_texts),
        "test_rows": len(test_texts),
        "train_seconds": round(train_seconds, 3),
        "predictions_per_second": round(len(test_texts) / wall, 1) if wall else None,
        "predictions_per_cpu_second": round(len(test_texts) / cpu, 1) if cpu else None,
        "load_seconds": round(load_seconds, 4),
        "model_bytes": len(blob),
        "features": loaded.fit_info.get("features"),
        "pipeline": loaded.describe(),
    }


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    config: Config | None = None,
    contexts: Sequence[Sequence[str]] | None = None,
    threshold: float = 0.85,
    seed: int = 0,
) -> dict[str, Any]:
    """Stratified k-fold: every text is predicted once by a model that never saw it; metrics over all of them."""
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(list(labels), dtype=object)
    smallest = min(int((y == c).sum()) for c in set(y))
    if smallest < folds:
        raise ValueError(f"a label has only {smallest} examples: fewer than {folds} folds")
    predicted = np.empty(len(y), dtype=object)
    top: list[list[tuple[str, float]]] = [[] for _ in range(len(y))]
    fold_f1: list[float] = []
    train_seconds = 0.0
    wall = cpu = 0.0
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(y)), y):
        model = TextClassifier(config)
        started = time.perf_counter()
        model.fit(
            [texts[i] for i in train],
            y[train].tolist(),
            [contexts[i] for i in train] if contexts is not None else None,
        )
        train_seconds += time.perf_counter() - started
        w, c = time.perf_counter(), time.process_time()
        rows = model.predict_top(
            [texts[i] for i in test],
            k=3,
            contexts=[contexts[i] for i in test] if contexts is not None else None,
        )
        wall += time.perf_counter() - w
        cpu += time.process_time() - c
        for i, row in zip(test, rows, strict=True):
            top[i] = row
            predicted[i] = row[0][0]
        fold_f1.append(metrics(y[test].tolist(), predicted[test].tolist())["macro_f1"])
    result = metrics(y.tolist(), predicted.tolist())
    return {
        **result,
        "folds": folds,
        "fold_macro_f1": fold_f1,
        "fold_macro_f1_std": round(float(np.std(fold_f1)), 4),
        "auto_dispatch": threshold_report(y.tolist(), top, threshold),
        "rows": len(y),
        "train_seconds": round(train_seconds / folds, 3),  # per fold
        "predictions_per_second": round(len(y) / wall, 1) if wall else None,
        "predictions_per_cpu_second": round(len(y) / cpu, 1) if cpu else None,
        "pipeline": (config or Config()).describe(),
    }
