"""Open311 partner keys.

    python manage.py open311_key create "FixMyStreet Futian"    # prints the key once
    python manage.py open311_key list
    python manage.py open311_key revoke 1a2b3c4d

Creation and revocation are audited (open311.key_create, open311.key_revoke) with the operating-system account
that ran the command as the actor.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shequ.audit.choices import AuditChannel
from shequ.audit.context import audit_context
from shequ.core.errors import ShequError
from shequ.open311.keys import apikey_create, apikey_revoke
from shequ.open311.models import ApiKey


def _operator() -> str:
    # The operating-system account that ran the command is the closest thing to an actor we have here.
    try:
        return f"os:{getpass.getuser()}"[:150]
    except (KeyError, OSError):
        return "system"


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list and revoke Open311 API keys for partner systems."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("name", help="the partner system, e.g. 'FixMyStreet Futian'")
        create.add_argument("--jurisdiction", default=None, help="default: SHEQU_OPEN311_JURISDICTION")
        sub.add_parser("list", help="list the keys (never the keys themselves)")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with audit_context(channel=AuditChannel.COMMAND):
            try:
                if action == "create":
                    self._create(options["name"], options["jurisdiction"])
                elif action == "revoke":
                    key = apikey_revoke(prefix=options["prefix"], actor_username=_operator())
                    self.stdout.write(self.style.SUCCESS(f"revoked {key}"))
                else:
                    self._list()
            except ShequError as exc:
                raise CommandError(exc.message) from exc

    def _create(self, name: str, jurisdiction_id: str | None) -> None:
        key, raw = apikey_create(name=name, jurisdiction_id=jurisdiction_id, actor_username=_operator())
        self.stdout.write(self.style.SUCCESS(f"created {key} for {key.jurisdiction}"))
        self.stdout.write("The key is shown this once; only its hash is kept. Give it to the partner now:")
        self.stdout.write(raw)

    def _list(self) -> None:
        keys = list(ApiKey.objects.all())
        if not keys:
            self.stdout.write("no Open311 keys")
            return
        self.stdout.write(
            f"{'prefix':<10}{'state':<9}{'created':<18}{'last used':<18}{'jurisdiction':<20}name"
        )
        for key in keys:
            state = "revoked" if key.revoked_at else "active"
            self.stdout.write(
                f"{key.prefix:<10}{state:<9}{_when(key.created_at):<18}{_when(key.last_used_at):<18}"
                f"{key.jurisdiction:<20}{key.name}"
            )
