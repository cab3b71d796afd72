from datetime import date

from django.core.management.base import BaseCommand, CommandError

from shequ.appeals.kpis import ROLLUPS, kpis_rebuild
from shequ.core.db import bulk


class Command(BaseCommand):
    help = (
        "Recompute the appeal KPI rollups (KpiDaily) from the event timeline: the offline repair path. "
        "Live updates keep the rollups current; run this after a fix to the counting rules or a restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="since",
            metavar="DATE",
            help="Rebuild only the days from this date (YYYY-MM-DD, Shenzhen time); default: every day",
        )

    def handle(self, *args, since: str | None = None, **options):
        day = None
        if since:
            try:
                day = date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--from must be a date like 2026-03-01, not {since!r}") from exc
        rows = kpis_rebuild(since=day)
        # Fresh statistics for the rows just rewritten: autovacuum may be off or minutes behind (docs/operations.md).
        bulk.analyze(ROLLUPS)
        scope = f"from {day.isoformat()}" if day else "for every day"
        self.stdout.write(self.style.SUCCESS(f"rebuilt {rows} KPI rows {scope}"))
