"""Dispatcher decisions become training data without the appeals app knowing: a post_save receiver on
appeals.Event picks up "dispatch", "reassign" and "categorize" rows that have an actor, and after the commit that
wrote them turns them into examples (services.capture_dispatch_event). A failure there is logged, never raised into the
dispatcher's request: the dispatch itself has already happened.

The same receiver sees every "submit" row (intake, with or without an actor): after the intake commits, the
`dispatch.after_intake` task dispatches the new appeal on a confident suggestion the responsibility list agrees
with (when no rule did at intake) and compares it with the open appeals near it (services.after_intake). A
failure is logged; the appeal is in and the resident has his number whatever happens here.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

log = logging.getLogger(__name__)
DISPATCH_UID = "dispatch.capture_dispatch_event"
SUBMIT_ACTION = "submit"  # the timeline action appeals.services._submit writes for a new appeal


def on_event_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    from .services import LEARN_FROM_ACTIONS

    if raw or not created:
        return
    if instance.action == SUBMIT_ACTION:
        transaction.on_commit(partial(_after_intake, instance.appeal_id), robust=True)
        return
    if instance.actor_id is None or instance.action not in LEARN_FROM_ACTIONS:
        return
    transaction.on_commit(partial(_capture, instance.pk), robust=True)


def _after_intake(appeal_id: int) -> None:
    from .tasks import after_intake

    try:
        after_intake.delay(appeal_id)
    except Exception:  # eager in the embedded setup: the task's own failure arrives here
        log.exception("after-intake work failed for appeal %s", appeal_id)


def _capture(event_id: int) -> None:
    from .services import capture_dispatch_event

    capture_dispatch_event(event_id)


def connect() -> None:
    from shequ.appeals.models import Event

    post_save.connect(on_event_saved, sender=Event, dispatch_uid=DISPATCH_UID)
