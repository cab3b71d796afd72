"""Hash chains and append-only rows: one definition for every record that must be provably unedited (DESIGN.md
§2): the audit trail (shequ.audit), the time bank's ledger (shequ.timebank) and the owners' ballots
(shequ.owners).

A link's hash is sha256 over the previous link's hash and the canonical JSON of what the link records (sorted
keys, no whitespace, non-ASCII kept), so that editing, inserting or deleting a link breaks every hash after it.
Each chain decides what it records (its payload) and how it is locked and verified; what it shares is the hash and
the refusal to change a row through the ORM (the audit trail's database triggers are its own, last line).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NoReturn

from django.db import models

GENESIS_HASH = "0" * 64


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash_of_text(prev_hash: str, canonical: str) -> str:
    """The link's hash from its canonical JSON already written (PostgreSQL's audit_append computes the same)."""
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return chain_hash_of_text(prev_hash, canonical_json(payload))


class AppendOnlyError(Exception):
    """Something tried to change or remove a row of an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    # Bulk paths skip Model.save()/delete(), so they are closed here too.
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be deleted")


class AppendOnly(models.Model):
    """A model whose rows are written once: saving an existing row or deleting one raises AppendOnlyError."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is append-only: it cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(f"{type(self).__name__} #{self.pk} is append-only: it cannot be deleted")
