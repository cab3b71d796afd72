"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .services import after_intake as after_intake_service
from .services import after_intake_drain as after_intake_drain_service
from .services import models_retrain


@shared_task(name="dispatch.retrain", acks_late=True)
def retrain() -> dict:
    """Weekly: a new version of each model from the examples gathered since, kept only if not worse."""
    with audit_context(channel="task"):
        return models_retrain()


@shared_task(name="dispatch.after_intake_drain", acks_late=True)
def after_intake_drain() -> dict:
    """Every few seconds (and, in the embedded setup, after each intake): the queued after-intake work, that is
    auto-dispatch on a confident suggestion, then the possible duplicates."""
    with audit_context(channel="task"):
        return after_intake_drain_service()


@shared_task(name="dispatch.after_intake", acks_late=True)
def after_intake(appeal_id: int) -> dict:
    """One appeal's after-intake work. Intake no longer publishes it (it queues a row for `after_intake_drain`);
    kept so that messages an older release published are still consumed."""
    with audit_context(channel="task"):
        return after_intake_service(appeal_id)
