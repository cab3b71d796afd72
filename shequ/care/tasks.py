"""Tasks of care: the nightly scan of automatic signals (CELERY_BEAT_SCHEDULE "care.scan")."""

from __future__ import annotations

import logging

from celery import shared_task

from shequ.audit.context import audit_context

from . import services

log = logging.getLogger(__name__)


@shared_task(name="care.scan")
def scan(days: int = 7) -> dict[str, int]:
    """Elders not visited, missed bookings and repeated-appeal warnings of people in special groups become
    discovery entries; a re-run the same week makes nothing new (each signal has its source reference)."""
    with audit_context(channel="task"):
        made = services.discoveries_scan(days=days)
    log.info("care scan: %s", made)
    return {str(k): v for k, v in made.items()}
