from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shequ.appeals.models import ResponsibilityRule
from shequ.appeals.rules import rules_import
from shequ.audit.context import audit_context
from shequ.core.db import bulk
from shequ.core.errors import ShequError


class Command(BaseCommand):
    help = "Import the responsibility list (职责清单) from .xlsx: every row is checked, then all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            with audit_context(channel="command"), file.open("rb") as fh:
                report = rules_import(actor=None, fileobj=fh, dry_run=dry_run)
        except ShequError as exc:
            raise CommandError(exc.message) from exc
        if not report.ok:
            for e in report.errors:
                self.stderr.write(f"row {e.row}, {e.column}: {e.message}")
            raise CommandError(f"{len(report.errors)} problems: nothing imported")
        if not dry_run:
            bulk.analyze([ResponsibilityRule])  # the planner's statistics for the rows just written
        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {report.created} rules"))
