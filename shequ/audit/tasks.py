"""Tasks of the audit trail: the daily retention purge (schedule it in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .choices import AuditChannel
from .context import audit_context
from .services import audit_purge_expired


@shared_task(name="audit.purge_expired")
def purge_expired() -> int:
    with audit_context(channel=AuditChannel.TASK):
        return audit_purge_expired(actor_username="system")
