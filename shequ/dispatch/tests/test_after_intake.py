"""The after-intake work (auto-dispatch on a confident suggestion, possible duplicates) goes through a queue table
written in the intake's own transaction (models.IntakeQueue) and drained by `services.after_intake_drain`
(SYNTHETIC texts)."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from shequ.appeals.choices import Status
from shequ.dispatch import services
from shequ.dispatch.models import IntakeQueue

from .conftest import add_rule, submit

pytestmark = pytest.mark.django_db

RUBBISH = "小区门口的垃圾桶满了没人清理，味道很大，请尽快处理"


@pytest.fixture
def with_worker(settings):
    """Production's setting: tasks go to a broker, so intake leaves the work to the drain (nothing runs at COMMIT)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_intake_queues_its_work_in_its_own_transaction(places):
    appeal = submit(RUBBISH, places["community"].code)
    row = IntakeQueue.objects.get()
    assert row.appeal_id == appeal.pk and row.claimed_until is None
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(RUBBISH, places["community"].code)
        raise RuntimeError("the intake's transaction fails after the appeal was written")
    assert list(IntakeQueue.objects.values_list("appeal_id", flat=True)) == [appeal.pk]


def test_with_a_worker_nothing_runs_at_commit_and_the_drain_does_the_work(
    category_model, places, settings, with_worker, django_capture_on_commit_callbacks
):
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        appeal = submit(RUBBISH, places["community"].code)
    assert callbacks == []  # no broker round trip in the request
    appeal.refresh_from_db()
    assert appeal.status == Status.SUBMITTED and IntakeQueue.objects.filter(appeal=appeal).exists()
    assert services.after_intake_drain() == {"claimed": 1, "done": 1, "failed": 0}
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == places["office"]
    assert not IntakeQueue.objects.exists()
    assert services.after_intake_drain() == {"claimed": 0, "done": 0, "failed": 0}


def test_the_drain_takes_the_oldest_first_and_at_most_its_limit(places, with_worker):
    appeals = [submit(RUBBISH, places["community"].code) for _ in range(3)]
    assert services.after_intake_drain(limit=2) == {"claimed": 2, "done": 2, "failed": 0}
    assert list(IntakeQueue.objects.values_list("appeal_id", flat=True)) == [appeals[2].pk]


def test_a_claimed_row_waits_for_its_lease_and_failed_work_is_retried(
    places, with_worker, monkeypatch, caplog
):
    first = submit(RUBBISH, places["community"].code)
    second = submit(RUBBISH, places["community"].code)
    # Another drain holds the first row's lease: this one leaves it alone.
    IntakeQueue.objects.filter(appeal=first).update(claimed_until=timezone.now() + timedelta(minutes=1))

    def broken(appeal_id: int) -> dict:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(services, "after_intake", broken)
    assert services.after_intake_drain() == {"claimed": 1, "done": 0, "failed": 1}
    assert f"after-intake work failed for appeal {second.pk}" in caplog.text
    kept = IntakeQueue.objects.get(appeal=second)  # still queued, under this drain's lease
    assert kept.claimed_until > timezone.now() + services.AFTER_INTAKE_LEASE - timedelta(minutes=1)
    assert services.after_intake_drain() == {"claimed": 0, "done": 0, "failed": 0}  # both leases still run

    monkeypatch.undo()
    IntakeQueue.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))  # the leases ran out
    assert services.after_intake_drain() == {"claimed": 2, "done": 2, "failed": 0}
    assert not IntakeQueue.objects.exists()


def test_the_drain_is_on_the_beat_schedule_every_few_seconds():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: the apps' tasks modules
    entry = settings.CELERY_BEAT_SCHEDULE["dispatch.after_intake_drain"]
    assert entry["task"] == "dispatch.after_intake_drain" and entry["task"] in app.tasks
    assert 0 < entry["schedule"] <= 60


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time and no row locks to skip"
)
def test_two_drains_at_once_take_different_rows(transactional_db, places, with_worker):
    """A row locked by a drain still claiming (its transaction open) is skipped, not waited for."""
    import threading

    from django.db import connections

    first = submit(RUBBISH, places["community"].code)
    submit(RUBBISH, places["community"].code)  # the row left for the drain
    locked, release, got = threading.Event(), threading.Event(), {}

    def other_drain() -> None:
        try:
            with transaction.atomic():
                IntakeQueue.objects.select_for_update().filter(appeal=first).get()
                locked.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_drain)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        got["drain"] = services.after_intake_drain()  # would block on the lock without SKIP LOCKED
    finally:
        release.set()
        thread.join(timeout=20)
    assert got["drain"] == {"claimed": 1, "done": 1, "failed": 0}
    assert list(IntakeQueue.objects.values_list("appeal_id", flat=True)) == [first.pk]


@pytest.mark.broker
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker thread needs its own connection to a shared database",
)
def test_a_real_worker_drains_the_queue_through_the_broker(transactional_db, places, real_celery_worker):
    """What beat does every few seconds: send the drain through the broker to a worker, which does the work."""
    from shequ.dispatch.tasks import after_intake_drain

    for _ in range(2):
        submit(RUBBISH, places["community"].code)
    assert IntakeQueue.objects.count() == 2
    assert after_intake_drain.delay().get(timeout=30) == {"claimed": 2, "done": 2, "failed": 0}
    assert not IntakeQueue.objects.exists()


def test_suggestions_as_you_type_and_the_drain_score_one_text_on_the_direct_path(
    category_model, places, settings, with_worker, monkeypatch
):
    """Every one-text caller takes the classifier's direct path (no sparse matrix, no copy of the weights):
    the batch path is made to fail, and the suggestion and the drain's auto-dispatch still work."""
    from shequ.appeals.suggest import suggest_categories
    from shequ.dispatch.classifier import TextClassifier

    def batch_path(*args, **kwargs):
        raise AssertionError("a one-text caller went through the batch path")

    monkeypatch.setattr(TextClassifier, "transform", batch_path)
    settings.SHEQU_AUTO_DISPATCH_THRESHOLD = 0.5
    add_rule("sanitation", places["huafu"].code, places["office"].code)
    typed = suggest_categories(RUBBISH)
    assert typed[0]["code"] == "sanitation" and typed[0]["source"] == "model"
    appeal = submit(RUBBISH, places["community"].code)
    assert services.after_intake_drain() == {"claimed": 1, "done": 1, "failed": 0}
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.lead_unit == places["office"]
