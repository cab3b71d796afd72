"""Two workers deliver the same batch at once (a redelivered task beside the first, or the resume sweep's copy):
everyone is reached once. PostgreSQL: the second waits on the batch's row lock and finds it done."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shequ.emergency import services
from shequ.emergency.models import Delivery, FanoutBatch
from shequ.messages.models import Message

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrent transactions: PostgreSQL (SQLite serialises writers)",
)


def test_one_batch_run_by_four_workers_at_once_reaches_everyone_once(transactional_db, yuehai, monkeypatch):
    monkeypatch.setattr(services, "_start_fanout", lambda warning_id: None)  # the workers below do it
    warning = services.warning_publish(
        actor=yuehai["officer"],
        hazard="typhoon",
        level="red",
        area_codes=[yuehai["street"].code],
        message="台风",
    )
    services.fanout_plan(warning_id=warning.pk)
    batch = FanoutBatch.objects.get(warning=warning)
    start = threading.Barrier(4)
    reached: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            start.wait()
            reached.append(services.batch_deliver(batch_id=batch.pk))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    people = Delivery.objects.filter(warning=warning).count()
    assert sorted(reached) == [0, 0, 0, people] and people >= 4
    assert Message.objects.filter(kind="emergency.warning").count() == 1  # the one resident with an account
