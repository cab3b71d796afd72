"""The beat schedule for the embedded default: runs CELERY_BEAT_SCHEDULE in this process, tasks eagerly.

Production runs `celery -A config beat` and workers on Redis/RabbitMQ; on one machine with no broker this command
is the scheduler (`make demo` starts it beside the web server). Deadlines live in the database, so a restart of
this process (like a broker restart in production) loses nothing: the next scan picks up what is due.
"""

from __future__ import annotations

import signal
import time
from datetime import datetime

from celery import current_app
from celery.schedules import schedule as celery_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules


class Command(BaseCommand):
    help = "Run the beat schedule in-process (embedded default): every task of CELERY_BEAT_SCHEDULE when due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every entry once now and exit")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between checks")

    def handle(self, *args, once: bool, tick: float, **options):
        autodiscover_modules("tasks")  # register every app's shared tasks in this process
        entries = {}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            sched = entry["schedule"]
            if isinstance(sched, int | float):
                sched = celery_schedule(run_every=sched)
            entries[name] = (entry["task"], sched)
        last_run: dict[str, datetime] = {}
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *a: stop.update(now=True))
        self.stdout.write(f"scheduler: {', '.join(entries) or 'nothing scheduled'}")
        while not stop["now"]:
            now = timezone.now()
            for name, (task_name, sched) in entries.items():
                due = once or name not in last_run or sched.is_due(last_run[name]).is_due
                if not due:
                    continue
                last_run[name] = now
                try:
                    result = current_app.tasks[task_name].apply()
                    if result.failed():
                        self.stderr.write(f"{task_name} failed: {result.result!r}")
                except Exception as exc:  # keep the scheduler alive; the next tick retries
                    self.stderr.write(f"{task_name} failed: {exc!r}")
            if once:
                return
            time.sleep(tick)
