"""Expire unspent credits where a rule's expiry switch is on (off by default): python manage.py timebank_expire"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shequ.audit.context import audit_context
from shequ.timebank.services import timebank_expire


class Command(BaseCommand):
    help = "Expire time credits older than the rule's window, where the rule switches expiry on."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(channel="command"):
            touched = timebank_expire()
        self.stdout.write(f"{touched} account(s) had credits expire")
