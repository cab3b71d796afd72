"""Train, evaluate and manage the dispatch models.

    dispatch_model evaluate --train FILE --test FILE [--text-fields title,text] [--label-field label]
    dispatch_model cross-validate --data FILE [--folds 5] [--text-fields …] [--label-field …]
    dispatch_model import-examples FILE [--text-fields …] [--label-field …] [--kind category|unit] [--area-field F]
    dispatch_model train [--kind category|unit] [--min-examples N] [--force]
    dispatch_model activate --kind category --version N
    dispatch_model list

evaluate and cross-validate print exactly one JSON object on stdout and write nothing anywhere else: the files
they read may be for evaluation only, and a model trained on them must never be stored. They run on one core
(process pinned, BLAS pools at one thread) so that the speed they report is a single-core figure.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.audit.context import audit_context
from shequ.core.errors import ShequError
from shequ.dispatch.classifier import Config
from shequ.dispatch.models import ModelKind, ModelVersion


def _fields(value: str) -> list[str]:
    fields = [f.strip() for f in value.split(",") if f.strip()]
    if not fields:
        raise CommandError("--text-fields names no field")
    return fields


def _config(pairs: list[str]) -> Config | None:
    """--set C=2 --set ngram_max=4: override the pipeline's defaults for an experiment."""
    if not pairs:
        return None
    types = {f.name: f.type for f in dataclasses.fields(Config)}
    values: dict[str, Any] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        if key not in types:
            raise CommandError(f"unknown setting {key!r}; one of {', '.join(types)}")
        kind = str(types[key])
        if raw.lower() == "none":
            values[key] = None
        elif "int" in kind:
            values[key] = int(raw)
        elif "float" in kind:
            values[key] = float(raw)
        else:
            values[key] = raw
    return Config(**values)


class Command(BaseCommand):
    help = "Train, evaluate and manage the dispatch models (category and lead unit)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)

        def data_options(p: Any) -> None:
            p.add_argument(
                "--text-fields", default="text", help="fields joined into the text, e.g. title,text"
            )
            p.add_argument("--label-field", default="label")
            p.add_argument(
                "--threshold", type=float, default=None, help="auto-dispatch threshold to report on"
            )
            p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="pipeline setting")

        ev = sub.add_parser("evaluate", help="train on one file, measure on another; one JSON object")
        ev.add_argument("--train", required=True)
        ev.add_argument("--test", required=True)
        data_options(ev)

        cv = sub.add_parser("cross-validate", help="stratified k-fold on one file; one JSON object")
        cv.add_argument("--data", required=True)
        cv.add_argument("--folds", type=int, default=5)
        cv.add_argument("--seed", type=int, default=0)
        data_options(cv)

        im = sub.add_parser("import-examples", help="labelled file → training examples (all rows or none)")
        im.add_argument("file")
        im.add_argument("--text-fields", default="text")
        im.add_argument("--label-field", default="label")
        im.add_argument("--kind", choices=ModelKind.values, default=ModelKind.CATEGORY)
        im.add_argument(
            "--area-field", default=None, help="column with an area code (context of the unit model)"
        )
        im.add_argument("--dry-run", action="store_true")

        tr = sub.add_parser("train", help="a new version from the stored examples; active if not worse")
        tr.add_argument("--kind", choices=ModelKind.values, default=ModelKind.CATEGORY)
        tr.add_argument("--min-examples", type=int, default=None)
        tr.add_argument("--folds", type=int, default=5)
        tr.add_argument("--force", action="store_true", help="make it active even if its macro-F1 is worse")

        ac = sub.add_parser("activate", help="make a stored version the active one")
        ac.add_argument("--kind", choices=ModelKind.values, required=True)
        ac.add_argument("--version", type=int, required=True)

        sub.add_parser("list", help="the stored versions")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            with audit_context(channel="command"):
                getattr(self, "do_" + action.replace("-", "_"))(**options)
        except ShequError as exc:
            raise CommandError(exc.message) from exc

    # --- measurement (no database, no storage) ------------------------------------------------------------------
    def _emit(self, result: dict) -> None:
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _threshold(self, value: float | None) -> float:
        from shequ.dispatch.services import auto_dispatch_threshold

        return value if value is not None else auto_dispatch_threshold()

    def do_evaluate(
        self, *, train: str, test: str, text_fields: str, label_field: str, **options: Any
    ) -> None:
        from shequ.dispatch.datasets import read_labelled
        from shequ.dispatch.evaluation import evaluate, machine, one_core

        fields = _fields(text_fields)
        config = _config(options["set"])
        train_data = read_labelled(train, text_fields=fields, label_field=label_field)
        test_data = read_labelled(test, text_fields=fields, label_field=label_field)
        with one_core() as pinned:
            result = evaluate(
                train_data.texts,
                train_data.labels,
                test_data.texts,
                test_data.labels,
                config=config,
                threshold=self._threshold(options["threshold"]),
            )
        result["skipped_rows"] = {"train": train_data.skipped, "test": test_data.skipped}
        result["machine"] = {**machine(), **pinned}
        self._emit(result)

    def do_cross_validate(
        self, *, data: str, folds: int, seed: int, text_fields: str, label_field: str, **options: Any
    ) -> None:
        from shequ.dispatch.datasets import read_labelled
        from shequ.dispatch.evaluation import cross_validate, machine, one_core

        if folds < 2:
            raise CommandError("--folds must be at least 2")
        dataset = read_labelled(data, text_fields=_fields(text_fields), label_field=label_field)
        try:
            with one_core() as pinned:
                result = cross_validate(
                    dataset.texts,
                    dataset.labels,
                    folds=folds,
                    config=_config(options["set"]),
                    threshold=self._threshold(options["threshold"]),
                    seed=seed,
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result["skipped_rows"] = dataset.skipped
        result["machine"] = {**machine(), **pinned}
        self._emit(result)

    # --- the stored models --------------------------------------------------------------------------------------
    def do_import_examples(
        self,
        *,
        file: str,
        text_fields: str,
        label_field: str,
        kind: str,
        area_field: str | None,
        dry_run: bool,
        **options: Any,
    ) -> None:
        from shequ.dispatch.services import examples_import

        report = examples_import(
            actor=None,
            path=file,
            text_fields=_fields(text_fields),
            label_field=label_field,
            kind=kind,
            area_field=area_field,
            dry_run=dry_run,
        )
        verb = "would import" if dry_run else "imported"
        count = sum(report.labels.values()) if dry_run else report.created
        self.stdout.write(
            f"{verb} {count} {kind} examples "
            f"({report.duplicates} duplicates, {report.skipped} rows without text or label skipped)"
        )
        for label, n in sorted(report.labels.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {label}: {n}")

    def do_train(
        self, *, kind: str, min_examples: int | None, folds: int, force: bool, **options: Any
    ) -> None:
        from shequ.dispatch.services import DEFAULT_MIN_EXAMPLES, model_train

        report = model_train(
            actor=None,
            kind=kind,
            min_examples=min_examples if min_examples is not None else DEFAULT_MIN_EXAMPLES,
            folds=folds,
            force=force,
        )
        row = report.version
        metrics = row.metrics
        self.stdout.write(
            f"{kind} model v{row.version}: {row.trained_on['rows']} examples, {len(row.trained_on['classes'])} labels, "
            f"cross-validated macro-F1 {metrics['cv_macro_f1']:.4f} (accuracy {metrics['cv_accuracy']:.4f}, "
            f"{metrics['folds']} folds)"
        )
        if report.dropped_labels:
            self.stdout.write(f"left out (fewer than 5 examples): {report.dropped_labels}")
        style = self.style.SUCCESS if report.activated else self.style.WARNING
        self.stdout.write(style(report.reason))

    def do_activate(self, *, kind: str, version: int, **options: Any) -> None:
        from shequ.dispatch.services import model_activate

        row = ModelVersion.objects.filter(kind=kind, version=version).first()
        if row is None:
            raise CommandError(f"no {kind} model v{version}")
        model_activate(actor=None, version=row)
        self.stdout.write(self.style.SUCCESS(f"{kind} model v{version} is active"))

    def do_list(self, **options: Any) -> None:
        for row in ModelVersion.objects.order_by("kind", "-version"):
            f1 = (row.metrics or {}).get("cv_macro_f1")
            self.stdout.write(
                f"{row.kind:8s} v{row.version:<4d} {'*' if row.active else ' '} {row.created_at:%Y-%m-%d %H:%M} "
                f"rows={row.trained_on.get('rows')} macro-F1={f1} {row.sha256[:12]}"
            )
