"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .services import timebank_expire


@shared_task(name="timebank.expire", acks_late=True)
def expire() -> dict:
    """Nightly (CELERY_BEAT_SCHEDULE): credits unspent past the rule's window expire where the rule's expiry switch
    is on (off by default, so this does nothing until a rule turns it on)."""
    with audit_context(channel="task"):
        return {"accounts": timebank_expire()}
