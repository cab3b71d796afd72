"""Dispatcher decisions become training data without the appeals app knowing: a post_save receiver on
appeals.Event picks up "dispatch", "reassign" (and, once the appeals app writes it, "categorize") rows that
have an actor, and after the commit that wrote them
turns them into examples (services.capture_dispatch_event). A failure there is logged, never raised into the
dispatcher's request: the dispatch itself has already happened.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

log = logging.getLogger(__name__)
DISPATCH_UID = "dispatch.capture_dispatch_event"


def on_event_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    from .services import LEARN_FROM_ACTIONS

    if raw or not created or instance.actor_id is None or instance.action not in LEARN_FROM_ACTIONS:
        return
    transaction.on_commit(partial(_capture, instance.pk), robust=True)


def _capture(event_id: int) -> None:
    from .services import capture_dispatch_event

    capture_dispatch_event(event_id)


def connect() -> None:
    from shequ.appeals.models import Event

    post_save.connect(on_event_saved, sender=Event, dispatch_uid=DISPATCH_UID)
