"""Celery tasks: thin wrappers around services."""

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from shequ.audit.context import audit_context

from .services import warnings_detect


@shared_task(name="earlywarning.detect_daily", acks_late=True)
def detect_daily(day: str | None = None) -> dict:
    """Daily at 06:00 Shenzhen time: the warnings of the day before (a whole day of appeals to look at)."""
    target = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    with audit_context(channel="task"):
        return warnings_detect(day=target)
