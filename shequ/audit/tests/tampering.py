"""Playing the attacker in tests: switch the append-only triggers off and edit the table with raw SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from shequ.audit.models import AuditEntry
from shequ.audit.triggers import (
    SQLITE_ANCHOR_NO_DELETE,
    SQLITE_ENTRY_NO_DELETE,
    SQLITE_ENTRY_NO_UPDATE,
    install_triggers,
    sqlite_drop_trigger,
)
from shequ.core.chain import chain_hash


@contextmanager
def triggers_off() -> Iterator[None]:
    """Inside the test's transaction only: PostgreSQL disables the table's triggers (rolled back with the
    test); SQLite drops them and re-creates them with the migration's own function."""
    if connection.vendor == "postgresql":
        # ALTER TABLE refuses while deferred foreign-key checks (Django's FKs are DEFERRABLE) are pending, so
        # run them now and keep them immediate until the triggers are back.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        sqlite_drop_trigger(connection, SQLITE_ENTRY_NO_UPDATE)
        sqlite_drop_trigger(connection, SQLITE_ENTRY_NO_DELETE)
        try:
            yield
        finally:
            install_triggers(connection)


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def forge(*, seq: int, prev_hash: str, like: AuditEntry, action: str = "resident.reveal") -> str:
    """Insert a self-consistent entry (its hash matches its fields) the way an attacker with SQL would."""
    payload = {**like.hash_payload(), "seq": seq, "action": action, "object_repr": "forged"}
    forged_hash = chain_hash(prev_hash, payload)
    sql(
        "INSERT INTO audit_auditentry (seq, chain, at, actor_id, actor_username, actor_role, action, object_type,"
        " object_id, object_repr, changes, purpose, ip, channel, request_id, prev_hash, hash)"
        " SELECT %s, chain, at, actor_id, actor_username, actor_role, %s, object_type, object_id, %s, changes,"
        " purpose, ip, channel, request_id, %s, %s FROM audit_auditentry WHERE seq = %s",
        [seq, action, "forged", prev_hash, forged_hash, like.seq],
    )
    return forged_hash


def wipe() -> None:
    """Empty both audit tables, triggers bypassed. For transactional tests on SQLite, whose teardown flush
    (DELETE FROM every table) the triggers would otherwise refuse; PostgreSQL's flush truncates instead."""
    with triggers_off():
        sql("DELETE FROM audit_auditentry")
    if connection.vendor == "postgresql":
        sql("ALTER TABLE audit_auditanchor DISABLE TRIGGER USER")
        sql("DELETE FROM audit_auditanchor")
        sql("ALTER TABLE audit_auditanchor ENABLE TRIGGER USER")
    else:
        sqlite_drop_trigger(connection, SQLITE_ANCHOR_NO_DELETE)
        sql("DELETE FROM audit_auditanchor")
        install_triggers(connection)
