"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .coverage import circle_compute


@shared_task(name="facilities.circle_compute", acks_late=True)
def compute_circle() -> dict:
    """Nightly (CELERY_BEAT_SCHEDULE): the 15-minute circle by population, stored for the pages."""
    with audit_context(channel="task"):
        run = circle_compute()
    return {"buildings": run.buildings, "seconds": run.seconds}
