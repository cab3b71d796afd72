"""Training, storing, loading, suggesting and auto-dispatching, through the real services (SYNTHETIC texts)."""

import logging

import pytest
from django.core.files.storage import default_storage

from shequ.appeals.choices import Status
from shequ.appeals.services import appeal_dispatch, appeal_reassign
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.dispatch import selectors, services
from shequ.dispatch.models import ModelVersion, Suggestion, TrainingExample

from .conftest import add_rule, submit, synthetic_set, write_jsonl, write_xlsx

pytestmark = pytest.mark.django_db

RUBBISH = "小区门口的垃圾桶满了没人清理，味道很大，请尽快处理"
VAGUE = "有点事情想反映一下"  # names no topic: the synthetic model is unsure


# --- examples and training ----------------------------------------------------------------------------------------
def test_an_imported_file_becomes_examples_once(examples, tmp_path):
    assert examples.created == 120 and examples.duplicates == 0
    assert TrainingExample.objects.filter(source="import", label_kind="category").count() == 120
    texts, labels = synthetic_set()
    again = services.examples_import(actor=None, path=write_jsonl(tmp_path / "again.jsonl", texts, labels))
    assert again.created == 0 and again.duplicates == 120
    assert AuditEntry.objects.filter(action="dispatch.examples_import").count() == 2


def test_labels_may_be_category_names_and_unknown_labels_import_nothing(db, tmp_path):
    path = write_xlsx(
        tmp_path / "named.xlsx",
        ["内容", "类别"],
        [["楼下垃圾没人清理", "环境卫生"], ["半夜噪音", "噪声污染"]],
    )
    report = services.examples_import(actor=None, path=path, text_fields=["内容"], label_field="类别")
    assert report.labels == {"sanitation": 1, "noise": 1}
    bad = write_xlsx(
        tmp_path / "bad.xlsx", ["内容", "类别"], [["楼下垃圾没人清理", "环境卫生"], ["某事", "城乡建设"]]
    )
    with pytest.raises(ShequError) as refused:
        services.examples_import(actor=None, path=bad, text_fields=["内容"], label_field="类别")
    assert "城乡建设" in refused.value.message
    assert TrainingExample.objects.count() == 2


def test_phone_numbers_never_reach_the_training_data(db, tmp_path):
    texts = ["楼下垃圾没人清理，联系我13912345678"]
    services.examples_import(actor=None, path=write_jsonl(tmp_path / "p.jsonl", texts, ["sanitation"]))
    assert "13912345678" not in TrainingExample.objects.get().text


def test_training_stores_an_active_version_with_its_hash(category_model):
    row = category_model
    assert row.active and row.version == 1 and row.kind == "category"
    assert row.file.name.startswith("dispatch_models/")
    with default_storage.open(row.file.name, "rb") as fh:
        assert selectors.sha256_of(fh.read()) == row.sha256
    assert row.trained_on["rows"] == 120 and set(row.trained_on["classes"]) == {
        "sanitation",
        "noise",
        "parking",
        "wage_arrears",
    }
    assert 0.8 <= row.metrics["cv_macro_f1"] <= 1.0
    assert AuditEntry.objects.filter(action="dispatch.model_train", object_id=str(row.pk)).exists()


def test_a_worse_retrain_is_stored_but_not_activated(category_model):
    # The active version claims a figure no retrain can reach.
    ModelVersion.objects.filter(pk=category_model.pk).update(metrics={"cv_macro_f1": 1.5})
    report = services.model_train(actor=None, kind="category", min_examples=20)
    assert not report.activated and "kept v1" in report.reason
    assert ModelVersion.objects.get(kind="category", active=True).version == 1
    forced = services.model_train(actor=None, kind="category", min_examples=20, force=True)
    assert forced.activated and ModelVersion.objects.get(kind="category", active=True).version == 3


def test_an_equal_or_better_retrain_becomes_active(category_model):
    report = services.model_train(actor=None, kind="category", min_examples=20)
    assert report.activated and report.previous == category_model
    assert list(ModelVersion.objects.filter(active=True).values_list("version", flat=True)) == [2]


def test_too_few_examples_is_a_clear_refusal(db):
    with pytest.raises(ShequError) as refused:
        services.model_train(actor=None, kind="unit")
    assert refused.value.code == "not_enough_examples"
    assert services.models_retrain()["unit"].startswith("skipped")


def test_the_active_model_is_loaded_once_per_version(category_model):
    first = selectors.active_model("category")
    assert first is not None and first.row.version == 1
    assert selectors.active_model("category") is first
    services.model_train(actor=None, kind="category", min_examples=20)
    assert selectors.active_model("category").row.version == 2


def test_a_tampered_model_file_is_refused(category_model, caplog):
    with default_storage.open(category_model.file.name, "rb") as fh:
        blob = fh.read()
    with open(default_storage.path(category_model.file.name), "wb") as fh:
        fh.write(blob[:-1] + bytes([blob[-1] ^ 1]))
    with caplog.at_level(logging.ERROR, logger="shequ.dispatch.selectors"):
        assert selectors.active_model("category") is None
    assert "refused" in caplog.text
    with pytest.raises(selectors.TamperedModel):
        selectors.load_version(category_model)
    assert services.suggest(RUBBISH)["category"] == []


# --- suggestions and the threshold --------------------------------------------------------------------------------
def test_a_suggestion_has_three_categories_with_words(category_model):
    s = services.suggest(RUBBISH)
    assert s["category"][0]["code"] == "sanitation"
    assert len(s["category"]) == 3
    top = s["category"][0]
    assert top["name"] == "环境卫生" and top["probability"] > s["category"][1]["probability"]
    assert any("垃圾" in w for w in top["words"]), top["words"]
    assert s["model_version"] == {"category": 1, "unit": None}
    assert s["unit"] == [] and s["auto_dispatch"] is False  # no place given: no rule can agree


def test_the_rules_give_the_unit_and_agree_above_the_threshold(category_model, places, settings):
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    s = services.suggest(RUBBISH, area=places["community"].code)
    assert s["unit"] == [
        {
            "code": places["office"].code,
            "name": places["office"].name,
            "probability": None,
            "words": [],
            "source": "rules",
        }
    ]
    assert s["category"][0]["probability"] >= 0.5 and s["auto_dispatch"] is True
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.85
    vague = services.suggest(VAGUE, area=places["community"].code)
    assert vague["category"][0]["probability"] < 0.85 and vague["auto_dispatch"] is False


def test_no_rule_for_the_place_means_no_auto_dispatch(category_model, places, settings):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.0
    s = services.suggest(RUBBISH, area=places["community"].code)
    assert s["unit"] == [] and s["rule_unit"] is None and s["auto_dispatch"] is False


def test_the_unit_model_must_agree_with_the_rules(category_model, places, settings, tmp_path):
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.0
    texts, _ = synthetic_set()
    # A unit model that learned to send everything to the district's city-management bureau.
    path = write_jsonl(
        tmp_path / "units.jsonl", texts[:40], [places["cg"].code] * 20 + [places["station"].code] * 20
    )
    services.examples_import(actor=None, path=path, kind="unit")
    TrainingExample.objects.filter(
        label_kind="unit", label=places["station"].code, text__contains="垃圾"
    ).update(label=places["cg"].code)
    services.model_train(actor=None, kind="unit", min_examples=20)
    s = services.suggest(RUBBISH, area=places["community"].code)
    assert s["unit"][0]["source"] == "model" and s["unit"][0]["code"] == places["cg"].code
    assert s["rule_unit"] == places["office"].code and s["auto_dispatch"] is False


def test_an_unknown_area_is_a_clear_error(db):
    with pytest.raises(ShequError):
        services.suggest("垃圾", area="999999")


# --- auto-dispatch at intake --------------------------------------------------------------------------------------
def test_a_confident_agreeing_suggestion_dispatches_as_the_system(category_model, places, settings):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    appeal = submit(RUBBISH, places["community"].code, category="sanitation")  # no rule yet: waits
    assert appeal.status == Status.SUBMITTED
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    result = services.auto_dispatch(appeal)
    assert result.dispatched and result.reason == "dispatched"
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == places["office"]
    event = appeal.events.get(action="dispatch")
    assert event.actor is None and "智能分拨" in event.note
    assert Suggestion.objects.get(appeal=appeal).auto_dispatched
    assert services.auto_dispatch(appeal).reason == "has_lead_unit"


def test_below_the_threshold_the_appeal_waits_with_its_suggestion(category_model, places, settings):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.85
    appeal = submit(VAGUE, places["community"].code, category="sanitation")
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    result = services.auto_dispatch(appeal)
    assert not result.dispatched and result.reason == "below_threshold"
    assert len(result.suggestion["category"]) == 3
    appeal.refresh_from_db()
    assert appeal.status == Status.SUBMITTED and appeal.lead_unit is None
    assert not Suggestion.objects.get(appeal=appeal).auto_dispatched


def test_a_category_chosen_at_intake_is_not_overruled(category_model, places, settings):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    appeal = submit(RUBBISH, places["community"].code, category="parking")
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    assert services.auto_dispatch(appeal).reason == "category_differs"


def test_an_uncategorised_appeal_is_categorised_and_dispatched_by_the_system(
    category_model, places, settings
):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    appeal = submit(RUBBISH, places["community"].code)
    result = services.auto_dispatch(appeal)
    assert result.dispatched and result.reason == "dispatched"
    appeal.refresh_from_db()
    assert appeal.category.code == "sanitation" and appeal.lead_unit == places["office"]
    events = list(appeal.events.order_by("id").values_list("action", "actor"))
    assert events == [("submit", None), ("categorize", None), ("dispatch", None)]
    assert appeal.events.get(action="categorize").data == {"category": "sanitation", "before": ""}


# --- dispatcher decisions become training data --------------------------------------------------------------------
def test_a_dispatchers_dispatch_becomes_examples(cast, places, django_capture_on_commit_callbacks):
    appeal = submit("楼下垃圾三天没人清理", places["community"].code, category="sanitation")
    with django_capture_on_commit_callbacks(execute=True):
        appeal_dispatch(actor=cast["sunli"], appeal=appeal, unit=places["station"])
    rows = {e.label_kind: e for e in TrainingExample.objects.filter(appeal=appeal)}
    assert rows["category"].label == "sanitation" and rows["category"].source == "dispatcher"
    assert rows["unit"].label == places["station"].code and rows["unit"].source == "dispatcher"
    assert rows["unit"].context == {"area_path": places["community"].path, "category": "sanitation"}


def test_reassigning_away_from_the_suggestion_is_a_correction(
    category_model, cast, places, settings, django_capture_on_commit_callbacks
):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    appeal = submit(RUBBISH, places["community"].code, category="sanitation")
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.auto_dispatch(appeal).dispatched  # the system's dispatch teaches nothing
    assert not TrainingExample.objects.filter(appeal=appeal).exists()
    with django_capture_on_commit_callbacks(execute=True):
        appeal_reassign(actor=cast["sunli"], appeal=appeal, unit=places["cg"], note="属城管执法")
    unit = TrainingExample.objects.get(appeal=appeal, label_kind="unit")
    assert unit.source == "correction" and unit.label == places["cg"].code
    assert TrainingExample.objects.get(appeal=appeal, label_kind="category").source == "dispatcher"


def test_record_correction_replaces_the_appeals_example(cast, places):
    appeal = submit("楼下垃圾三天没人清理", places["community"].code, category="sanitation")
    services.example_from_appeal(appeal, "dispatcher", unit=places["station"].code)
    services.record_correction(
        appeal=appeal, kind="category", label="noise", actor=cast["sunli"], suggested="sanitation"
    )
    rows = TrainingExample.objects.filter(appeal=appeal, label_kind="category")
    assert [(r.label, r.source) for r in rows] == [("noise", "correction")]


def test_without_a_model_nothing_is_suggested_and_the_appeal_waits(cast, places):
    appeal = submit(RUBBISH, places["community"].code)
    result = services.auto_dispatch(appeal)
    assert result.reason == "no_model" and result.suggestion["category"] == []


def test_a_dispatchers_change_of_category_is_a_correction(
    category_model, cast, places, django_capture_on_commit_callbacks
):
    from shequ.appeals.models import Event

    appeal = submit(RUBBISH, places["community"].code)
    services.auto_dispatch(
        appeal
    )  # stores the suggestion (sanitation); no categorize service yet, so it waits
    # The event the appeals app's future category service will write (there is no such service to call yet).
    with django_capture_on_commit_callbacks(execute=True):
        Event.objects.create(
            appeal=appeal, action="categorize", actor=cast["sunli"], data={"category": "noise"}
        )
    example = TrainingExample.objects.get(appeal=appeal)
    assert (example.label_kind, example.label, example.source) == ("category", "noise", "correction")


# --- wired into intake and the beat schedule ---------------------------------------------------------------------
def test_after_intake_a_confident_suggestion_dispatches_the_appeal(
    category_model, places, settings, django_capture_on_commit_callbacks
):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit(RUBBISH, places["community"].code)  # no category, no rule at intake
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == places["office"]
    assert Suggestion.objects.get(appeal=appeal).auto_dispatched is True


def test_after_intake_nothing_is_dispatched_when_switched_off_or_unsure(
    category_model, places, settings, django_capture_on_commit_callbacks
):
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 1.01  # no suggestion is ever this sure
    with django_capture_on_commit_callbacks(execute=True):
        unsure = submit(RUBBISH, places["community"].code)
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD, settings.SHEQU_AUTO_DISPATCH = 0.5, False
    with django_capture_on_commit_callbacks(execute=True):
        off = submit(RUBBISH, places["community"].code)
    for appeal in (unsure, off):
        appeal.refresh_from_db()
        assert appeal.status == Status.SUBMITTED and appeal.category is None
    assert Suggestion.objects.filter(appeal=unsure).count() == 1  # kept for the dispatcher to see
    assert not Suggestion.objects.filter(appeal=off).exists()


def test_the_weekly_retraining_is_on_the_beat_schedule():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["dispatch.retrain"]
    assert entry["task"] in app.tasks and entry["task"] == "dispatch.retrain"
