"""Re-encrypt personal data under the current key and recompute every blind index, after a key rotation.

    python manage.py reencrypt_personal_data --dry-run     # count the rows that would change
    python manage.py reencrypt_personal_data               # do it, in batches of 500 rows

Put the new key first in SHEQU_DATA_KEYS (keeping the old ones after it) and deploy before running it; remove an
old key only after a run (or a dry run) reports 0 rows everywhere. A new SHEQU_HASH_KEY is handled the same way.
Running it again is harmless: rows already current are not written.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.core.crypto import DecryptionError, current_key_id, reencrypt_all


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the current key and recompute blind indexes (--dry-run only counts)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count the rows that would change, write none"
        )
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            counts = reencrypt_all(batch_size=batch_size, dry_run=dry_run)
        except (DecryptionError, ImproperlyConfigured) as exc:
            raise CommandError(
                f"{exc} Rows of earlier batches are already done; fix this and run again."
            ) from exc

        self.stdout.write(f"Current data key: {current_key_id()}")
        if not counts:
            self.stdout.write("No installed model has encrypted fields.")
            return
        verb = "to re-encrypt or re-index" if dry_run else "re-encrypted or re-indexed"
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {count} rows {verb}")
        total = sum(counts.values())
        self.stdout.write(f"Total: {total} rows {verb} in {len(counts)} models.")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
