"""Warn and supervise overdue plan tasks now (the morning task does the same)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shequ.indicators.services import plan_task_scan_overdue


class Command(BaseCommand):
    help = "Escalate overdue tasks of the plan's task ledger."

    def handle(self, *args, **options) -> None:
        self.stdout.write(str(plan_task_scan_overdue()))
