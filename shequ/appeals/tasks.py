"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .services import appeal_scan_deadlines


@shared_task(name="appeals.scan_deadlines", acks_late=True)
def scan_deadlines() -> dict:
    with audit_context(channel="task"):
        return appeal_scan_deadlines()
