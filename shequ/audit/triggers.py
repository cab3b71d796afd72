"""Database triggers that make the audit tables append-only, for SQLite and PostgreSQL.

Migration 0002 installs them; the retention purge (services.audit_purge) and the tests re-create the SQLite
delete trigger with the same SQL. The statements are idempotent (IF NOT EXISTS / OR REPLACE), so a change
here needs a new migration that calls `install_triggers` again; old migrations keep calling the new text.

The triggers stop the application and anyone using its database account by mistake. They do not stop an
owner of the table, who can drop them: the hash chain is what makes such tampering visible. In production,
also REVOKE UPDATE, DELETE, TRUNCATE on both tables from the web application's role. TRUNCATE is deliberately
not refused by a trigger: Django's test flush on PostgreSQL truncates every table.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

ENTRY_TABLE = "audit_auditentry"
ANCHOR_TABLE = "audit_auditanchor"
ENTRY_MESSAGE = "audit entries are append-only"
ANCHOR_MESSAGE = "audit anchors are append-only"

# The only way to delete entries on PostgreSQL: the purge sets this transaction-local setting first.
PG_PURGE_SETTING = "shequ.audit_purge"

SQLITE_ENTRY_NO_UPDATE = "audit_auditentry_no_update"
SQLITE_ENTRY_NO_DELETE = "audit_auditentry_no_delete"
SQLITE_ANCHOR_NO_UPDATE = "audit_auditanchor_no_update"
SQLITE_ANCHOR_NO_DELETE = "audit_auditanchor_no_delete"


def _sqlite_trigger(name: str, event: str, table: str, message: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


SQLITE_TRIGGERS = {
    SQLITE_ENTRY_NO_UPDATE: _sqlite_trigger(SQLITE_ENTRY_NO_UPDATE, "UPDATE", ENTRY_TABLE, ENTRY_MESSAGE),
    SQLITE_ENTRY_NO_DELETE: _sqlite_trigger(SQLITE_ENTRY_NO_DELETE, "DELETE", ENTRY_TABLE, ENTRY_MESSAGE),
    SQLITE_ANCHOR_NO_UPDATE: _sqlite_trigger(SQLITE_ANCHOR_NO_UPDATE, "UPDATE", ANCHOR_TABLE, ANCHOR_MESSAGE),
    SQLITE_ANCHOR_NO_DELETE: _sqlite_trigger(SQLITE_ANCHOR_NO_DELETE, "DELETE", ANCHOR_TABLE, ANCHOR_MESSAGE),
}

# SQLSTATE 23000 so that both backends raise django.db.IntegrityError (SQLite's RAISE(ABORT) is a constraint
# failure too).
PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('{PG_PURGE_SETTING}', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{ENTRY_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $fn$
    """,
    f"DROP TRIGGER IF EXISTS audit_auditentry_append_only ON {ENTRY_TABLE}",
    f"""
    CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE OR DELETE ON {ENTRY_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only()
    """,
    f"""
    CREATE OR REPLACE FUNCTION audit_auditanchor_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
        RAISE EXCEPTION '{ANCHOR_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $fn$
    """,
    f"DROP TRIGGER IF EXISTS audit_auditanchor_append_only ON {ANCHOR_TABLE}",
    f"""
    CREATE TRIGGER audit_auditanchor_append_only BEFORE UPDATE OR DELETE ON {ANCHOR_TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditanchor_append_only()
    """,
]

PG_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_auditentry_append_only ON {ENTRY_TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditentry_append_only()",
    f"DROP TRIGGER IF EXISTS audit_auditanchor_append_only ON {ANCHOR_TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditanchor_append_only()",
]


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        statements = list(SQLITE_TRIGGERS.values())
    elif connection.vendor == "postgresql":
        statements = PG_INSTALL
    else:
        raise NotImplementedError(f"append-only audit triggers are not written for {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove_triggers(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    elif connection.vendor == "postgresql":
        statements = PG_REMOVE
    else:
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def sqlite_create_trigger(connection: BaseDatabaseWrapper, name: str) -> None:
    """(Re-)create one SQLite trigger by name, e.g. after the purge dropped the delete trigger."""
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_TRIGGERS[name])


def sqlite_drop_trigger(connection: BaseDatabaseWrapper, name: str) -> None:
    if name not in SQLITE_TRIGGERS:
        raise KeyError(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
