from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

# 网络安全法 Art. 21 asks for network logs to be kept for at least six months; we refuse shorter retention.
MINIMUM_RETENTION_DAYS = 180
DEFAULT_RETENTION_DAYS = 1095  # three years
# Chains of the trail on PostgreSQL (models.AuditEntry.chain): each append locks one, picked at random.
DEFAULT_CHAINS = 8
MAX_CHAINS = 64


class AuditConfig(AppConfig):
    name = "shequ.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        checks.register(check_audit_settings)


def retention_days() -> int:
    return int(getattr(settings, "SHEQU_AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def chain_setting() -> int:
    return int(getattr(settings, "SHEQU_AUDIT_CHAINS", DEFAULT_CHAINS))


def check_audit_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    if retention_days() < MINIMUM_RETENTION_DAYS:
        messages.append(
            checks.Error(
                f"SHEQU_AUDIT_RETENTION_DAYS is {retention_days()}; audit entries must be kept at least "
                f"{MINIMUM_RETENTION_DAYS} days.",
                id="audit.E001",
            )
        )
    if not 1 <= chain_setting() <= MAX_CHAINS:
        messages.append(
            checks.Error(
                f"SHEQU_AUDIT_CHAINS is {chain_setting()}; it must be between 1 and {MAX_CHAINS}.",
                id="audit.E002",
            )
        )
    for alias, db in settings.DATABASES.items():
        # The chain relies on BEGIN IMMEDIATE on SQLite to serialise writers (services.audit_record).
        if db.get("ENGINE") == "django.db.backends.sqlite3":
            mode = (db.get("OPTIONS") or {}).get("transaction_mode")
            if str(mode or "").upper() != "IMMEDIATE":
                messages.append(
                    checks.Warning(
                        f"Database {alias!r} is SQLite without transaction_mode=IMMEDIATE; concurrent audit "
                        "writes may fail with 'database is locked'.",
                        id="audit.W001",
                    )
                )
    return messages
