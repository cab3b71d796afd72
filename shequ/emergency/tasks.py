"""Celery tasks of emergency management: thin wrappers around services (the fan-out of a warning).

`fanout` cuts the batches (once) and sends one `fanout_batch` per batch not done; each batch is idempotent
(services.batch_deliver). Tasks are acknowledged late (a worker that dies mid-batch leaves it to another), and
`fanout_resume`, a beat task every minute, sends again the batches of a fan-out that has not finished: a batch lost
with the broker (a Redis restart without persistence) is found in the database and sent again.

`lift_notify` tells everyone a lifted warning reached through the message centre that it is lifted, batch after
batch (services.lift_tell_batch: each batch marks its people told in the transaction that writes their messages,
so a retried or duplicated task tells nobody twice); the same sweep sends again a lift message that was lost or
that waited for its fan-out to finish.
"""

from __future__ import annotations

from celery import shared_task
from django.db import IntegrityError, OperationalError

from shequ.audit.context import audit_context

from . import services


@shared_task(name="emergency.fanout", acks_late=True)
def fanout(warning_id: int, batch_size: int = services.FANOUT_BATCH) -> int:
    with audit_context(channel="task"):
        services.fanout_plan(warning_id=warning_id, batch_size=batch_size)
    pending = services.batches_to_send(warning_id=warning_id)
    for batch_id in pending:
        fanout_batch.delay(batch_id)
    return len(pending)


@shared_task(
    name="emergency.fanout_batch",
    acks_late=True,
    autoretry_for=(IntegrityError, OperationalError),
    retry_backoff=True,
    max_retries=10,
)
def fanout_batch(batch_id: int) -> int:
    with audit_context(channel="task"):
        return services.batch_deliver(batch_id=batch_id)


@shared_task(
    name="emergency.lift_notify",
    acks_late=True,
    autoretry_for=(IntegrityError, OperationalError),
    retry_backoff=True,
    max_retries=10,
)
def lift_notify(warning_id: int, batch_size: int = services.LIFT_BATCH) -> int:
    """Tell the lifted warning's people in batches, one transaction each, never loading them all."""
    told, after = 0, 0
    with audit_context(channel="task"):
        while step := services.lift_tell_batch(warning_id=warning_id, after=after, batch_size=batch_size):
            after, told = step[0], told + step[1]
        services.lift_finish(warning_id=warning_id)
    return told


@shared_task(name="emergency.fanout_resume", acks_late=True)
def fanout_resume() -> int:
    """Send again whatever a fan-out still lacks (idempotent: a batch done meanwhile is skipped), and a lift
    message that has not finished."""
    for warning_id in services.lift_pending():
        lift_notify.delay(warning_id)
    return sum(fanout(warning_id) for warning_id in services.fanout_pending())


@shared_task(name="emergency.supply_alerts")
def supply_alerts() -> int:
    """Daily: the keepers of supplies below their minimum, expired or expiring are told (once per change)."""
    with audit_context(channel="task"):
        return services.supply_alerts_notify()
