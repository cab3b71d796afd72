"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .services import after_intake as after_intake_service
from .services import models_retrain


@shared_task(name="dispatch.retrain", acks_late=True)
def retrain() -> dict:
    """Weekly: a new version of each model from the examples gathered since, kept only if not worse."""
    with audit_context(channel="task"):
        return models_retrain()


@shared_task(name="dispatch.after_intake", acks_late=True)
def after_intake(appeal_id: int) -> dict:
    """After an intake commits: auto-dispatch on a confident suggestion, then the possible duplicates."""
    with audit_context(channel="task"):
        return after_intake_service(appeal_id)
