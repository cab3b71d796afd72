"""Verify the time bank's ledger: every movement's hash, every link, the pairs, the balances, the zero sum.

    python manage.py verify_timebank_ledger

Exits non-zero and lists the problems when a movement (or its transfer) was edited, inserted or deleted, or a
balance no longer equals its movements.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.timebank.ledger import verify


class Command(BaseCommand):
    help = (
        "Verify the hash chain and the balances of the time bank ledger; exit non-zero if anything is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000, help="movements read per query")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        report = verify(batch_size=batch_size)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"time bank ledger BROKEN: {len(report.problems)} problem(s) in {report.checked} movements"
            )
        self.stdout.write(
            self.style.SUCCESS(f"time bank ledger OK: {report.checked} movements verified, balances sum to 0")
        )
        # Keep this line outside the database: it shows later whether the newest movements were cut.
        self.stdout.write(f"head: #{report.last_seq} {report.last_hash}")
