"""Delete audit entries older than the retention period (SHEQU_AUDIT_RETENTION_DAYS, default three years).

    python manage.py audit_purge_expired --dry-run
    python manage.py audit_purge_expired

The purge leaves an anchor so the rest of the chain stays verifiable, and audits itself ("audit.purge").
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.audit.apps import retention_days
from shequ.audit.choices import AuditChannel
from shequ.audit.context import audit_context
from shequ.audit.services import (
    AuditChainBroken,
    audit_purge_expired,
    audit_purgeable_count,
    audit_retention_cutoff,
)


class Command(BaseCommand):
    help = "Delete audit entries older than SHEQU_AUDIT_RETENTION_DAYS (--dry-run: only count them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be purged, delete nothing"
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        cutoff = audit_retention_cutoff()
        days = retention_days()
        if dry_run:
            count = audit_purgeable_count(before=cutoff)
            self.stdout.write(
                f"would purge {count} audit entries older than {cutoff.isoformat()} ({days} days)"
            )
            return
        with audit_context(channel=AuditChannel.COMMAND):
            try:
                count = audit_purge_expired(actor_username=_operator())
            except AuditChainBroken as exc:
                raise CommandError(f"not purged: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"purged {count} audit entries older than {cutoff.isoformat()} ({days} days)")
        )


def _operator() -> str:
    # The operating-system account that ran the command is the closest thing to an actor we have here.
    try:
        return f"os:{getpass.getuser()}"[:150]
    except (KeyError, OSError):
        return "system"
