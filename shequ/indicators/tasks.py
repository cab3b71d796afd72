"""Celery tasks: thin wrappers around services."""

from celery import shared_task

from shequ.audit.context import audit_context

from .services import indicator_catalogue_sync, indicator_rollup, plan_task_scan_overdue


@shared_task(name="indicators.rollup", acks_late=True)
def rollup() -> dict:
    """Nightly (CELERY_BEAT_SCHEDULE), after the 15-minute circle: every indicator for every area, stored."""
    with audit_context(channel="task"):
        indicator_catalogue_sync()
        run = indicator_rollup()
    return {"values": run.values, "seconds": run.seconds}


@shared_task(name="indicators.scan_overdue_tasks", acks_late=True)
def scan_overdue_tasks() -> dict:
    """Every morning: overdue plan tasks are warned, then supervised (as appeals' deadlines are)."""
    with audit_context(channel="task"):
        return plan_task_scan_overdue()
