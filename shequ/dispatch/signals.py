"""Dispatcher decisions become training data without the appeals app knowing: a post_save receiver on
appeals.Event picks up "dispatch", "reassign" and "categorize" rows that have an actor (and a dispatcher's
"raise_emergency" / "lower_emergency", which the urgency model learns from: capture_urgency_event), and after the commit that
wrote them turns them into examples (services.capture_dispatch_event). A failure there is logged, never raised into the
dispatcher's request: the dispatch itself has already happened.

A new appeal reaches this app through the appeals' intake hook (`on_intake`, registered in apps.py; called the
same way on SQLite and PostgreSQL), which queues its after-intake work in the intake's own transaction
(models.IntakeQueue, a transactional outbox: no broker round trip in the request, and nothing lost when the broker
is down). The `dispatch.after_intake_drain` task then dispatches the new appeal on a confident suggestion the
responsibility list agrees with (when no rule did at intake) and compares it with the open appeals near it
(services.after_intake): every few seconds from the beat schedule, and right after the commit where tasks run
eagerly (the embedded setup, the tests). A failure is logged; the appeal is in and the resident has his number
whatever happens here.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

log = logging.getLogger(__name__)
DISPATCH_UID = "dispatch.capture_dispatch_event"


def on_intake(appeal: Any) -> None:
    """The appeals' intake hook: queue the new appeal's after-intake work in the intake's transaction."""
    from .services import after_intake_enqueue

    after_intake_enqueue(appeal.pk, appeal.created_at)
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no worker and no beat: do it now, as a worker would soon
        transaction.on_commit(_after_intake, robust=True)


def on_event_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    from .services import LEARN_FROM_ACTIONS, URGENCY_ACTIONS

    if raw or not created or instance.actor_id is None:
        return
    if instance.action in URGENCY_ACTIONS:  # a dispatcher raised or lowered the urgency (issue 23)
        transaction.on_commit(partial(_capture_urgency, instance.pk), robust=True)
        return
    if instance.action not in LEARN_FROM_ACTIONS:
        return
    transaction.on_commit(partial(_capture, instance.pk), robust=True)


def _after_intake() -> None:
    from .tasks import after_intake_drain

    try:
        after_intake_drain.delay()
    except Exception:  # eager: the task's own failure arrives here; the rows stay queued for the next drain
        log.exception("after-intake work failed")


def _capture(event_id: int) -> None:
    from .services import capture_dispatch_event

    capture_dispatch_event(event_id)


def _capture_urgency(event_id: int) -> None:
    from .services import capture_urgency_event

    capture_urgency_event(event_id)


def connect() -> None:
    from shequ.appeals.hooks import register_intake_hook
    from shequ.appeals.models import Event
    from shequ.appeals.urgency import register_extra_rows

    from .services import urgency_correction_rows

    post_save.connect(on_event_saved, sender=Event, dispatch_uid=DISPATCH_UID)
    register_extra_rows(urgency_correction_rows)
    register_intake_hook(on_intake)
