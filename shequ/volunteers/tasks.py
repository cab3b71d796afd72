"""Celery tasks of volunteer service: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .services import shift_send_reminders


@shared_task(name="volunteers.send_reminders", acks_late=True)
def send_reminders() -> int:
    """Every 10 minutes: remind confirmed volunteers of shifts starting within 24 hours (once each)."""
    with audit_context(channel="task"):
        return shift_send_reminders()
