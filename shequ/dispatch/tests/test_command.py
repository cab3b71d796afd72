"""dispatch_model: the evaluation commands print one JSON object; import and train work from the shell.
All files are SYNTHETIC and generated here in a temporary directory."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shequ.dispatch.models import ModelVersion, TrainingExample

from .conftest import synthetic_set, write_jsonl, write_xlsx


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("dispatch_model", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _write_csv(path, texts, labels):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "text", "label"])
        for text, label in zip(texts, labels, strict=True):
            writer.writerow(["", text, label])
    return path


def test_evaluate_prints_one_json_object_with_every_figure(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", *synthetic_set(per_class=20, seed=1), title=True)
    test = _write_csv(tmp_path / "test.csv", *synthetic_set(per_class=8, seed=2))
    out, _ = _run("evaluate", "--train", str(train), "--test", str(test), "--text-fields", "title,text")
    result = json.loads(out)  # nothing else on stdout
    for key in (
        "macro_f1",
        "accuracy",
        "per_class",
        "confusion_matrix",
        "train_seconds",
        "predictions_per_second",
        "load_seconds",
        "pipeline",
    ):
        assert key in result, key
    assert set(result["per_class"]) == {"sanitation", "noise", "parking", "wage_arrears"}
    assert set(result["per_class"]["noise"]) == {"precision", "recall", "f1", "support"}
    assert result["per_class"]["noise"]["support"] == 8
    matrix = result["confusion_matrix"]
    assert len(matrix["matrix"]) == len(matrix["labels"]) == 4
    assert sum(map(sum, matrix["matrix"])) == 32
    assert result["macro_f1"] >= 0.8 and result["predictions_per_second"] > 0
    assert result["machine"]["cpu_affinity"] in (1, None)


def test_evaluate_reads_xlsx_and_pipeline_settings(tmp_path):
    texts, labels = synthetic_set(per_class=15, seed=3)
    train = write_xlsx(
        tmp_path / "train.xlsx", ["text", "label"], [[t, lab] for t, lab in zip(texts, labels, strict=True)]
    )
    test = write_jsonl(tmp_path / "test.jsonl", *synthetic_set(per_class=5, seed=4))
    out, _ = _run(
        "evaluate", "--train", str(train), "--test", str(test), "--set", "ngram_max=2", "--set", "C=0.5"
    )
    result = json.loads(out)
    assert "char 1-2-grams" in result["pipeline"] and "C=0.5" in result["pipeline"]


def test_cross_validate_prints_one_json_object(tmp_path):
    data = write_jsonl(tmp_path / "data.jsonl", *synthetic_set(per_class=10, seed=5))
    out, _ = _run("cross-validate", "--data", str(data), "--folds", "3")
    result = json.loads(out)
    assert result["folds"] == 3 and len(result["fold_macro_f1"]) == 3 and result["rows"] == 40
    assert {"macro_f1", "accuracy", "per_class", "confusion_matrix", "predictions_per_second"} <= set(result)


def test_a_missing_field_is_a_clear_error(tmp_path):
    data = write_jsonl(tmp_path / "data.jsonl", *synthetic_set(per_class=10))
    with pytest.raises(CommandError, match="no field"):
        _run("cross-validate", "--data", str(data), "--label-field", "category")


@pytest.mark.django_db
def test_import_then_train_from_the_shell(tmp_path):
    data = write_jsonl(tmp_path / "data.jsonl", *synthetic_set())
    out, _ = _run("import-examples", str(data), "--label-field", "label")
    assert "imported 120 category examples" in out
    assert TrainingExample.objects.count() == 120
    out, _ = _run("train", "--kind", "category", "--min-examples", "20")
    assert "category model v1" in out and "first category model: active" in out
    assert ModelVersion.objects.get().active
    out, _ = _run("list")
    assert "v1" in out


@pytest.mark.django_db
def test_an_operator_can_go_back_to_an_earlier_version(tmp_path):
    _run("import-examples", str(write_jsonl(tmp_path / "data.jsonl", *synthetic_set())))
    _run("train", "--min-examples", "20")
    _run("train", "--min-examples", "20")
    assert ModelVersion.objects.get(active=True).version == 2
    out, _ = _run("activate", "--kind", "category", "--version", "1")
    assert "v1 is active" in out
    assert ModelVersion.objects.get(active=True).version == 1
    with pytest.raises(CommandError):
        _run("activate", "--kind", "category", "--version", "9")
