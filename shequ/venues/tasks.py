"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .activities import sessions_remind
from .draws import draws_run_due, offers_lapse
from .services import bookings_release_no_shows


@shared_task(name="venues.scan", acks_late=True)
def scan() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): no-shows released, lapsed offers passed on, due draws drawn, sessions of the next day reminded."""
    with audit_context(channel="task"):
        return {
            "released": bookings_release_no_shows(),
            "lapsed": offers_lapse(),
            "drawn": draws_run_due(),
            "reminded": sessions_remind(),
        }
