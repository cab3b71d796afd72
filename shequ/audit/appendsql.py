"""The SQL of PostgreSQL's `audit_append`, generated from the one definition of an entry's hashed fields.

`audit_append(lock, chain, entries, after)` takes the chain's transaction-level advisory lock, reads the chain's
head hash (its latest entry's, else its latest purge anchor's, else the genesis hash), and inserts the entries in
order, each with the next number of the entries' sequence, the time read under the lock, the previous entry's
hash and its own; it returns each entry's id, seq, time, previous hash and hash (services._append_in_database
checks every hash against its own computation).

The columns it inserts, and how each is read from an entry's JSON, come from `models.HASHED_FIELDS` and the
model's fields: a JSON field as JSON (`e->'changes'`), every other field as text cast to its column's type. So the
fields are written once (models.py); what is written here is only what must happen under the lock.

A change of `HASHED_FIELDS` or of a hashed field's type needs a migration that runs `install` again (as 0006
does); `test_the_installed_append_function_is_the_generated_one` fails until there is one.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import HASHED_FIELDS, AuditEntry

# Filled in by the function itself, in this order, before the hashed fields.
_OWN_COLUMNS = ("seq", "chain", "at")
_OWN_VALUES = ("v_seq", "p_chain", "v_at")

TIME_JSON = """
CREATE OR REPLACE FUNCTION audit_time_json(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT '"' || to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN extract(microseconds FROM p_at)::bigint % 1000000 = 0 THEN ''
                ELSE '.' || lpad((extract(microseconds FROM p_at)::bigint % 1000000)::text, 6, '0') END
        || '+00:00"'
$$
"""

_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append(p_lock bigint, p_chain integer, p_entries jsonb, p_after bigint)
RETURNS TABLE (r_id bigint, r_seq bigint, r_at timestamptz, r_prev_hash varchar, r_hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_prev varchar;
    v_at timestamptz;
    v_at_json text;
    v_seq bigint;
    v_hash varchar;
    e jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    v_prev := COALESCE(
        (SELECT a.hash FROM audit_auditentry a WHERE a.chain = p_chain ORDER BY a.seq DESC LIMIT 1),
        (SELECT n.last_hash FROM audit_auditanchor n WHERE n.chain = p_chain
         ORDER BY n.purged_through_seq DESC LIMIT 1),
        repeat('0', 64)
    );
    v_at := clock_timestamp();
    v_at_json := audit_time_json(v_at);
    FOR e IN SELECT x FROM jsonb_array_elements(p_entries) AS t(x) LOOP
        v_seq := nextval('audit_auditentry_seq_seq');
        v_hash := encode(sha256(convert_to(
            v_prev || (e->>'p0') || v_at_json || (e->>'p1') || v_seq::text || (e->>'p2'), 'UTF8')), 'hex');
        INSERT INTO audit_auditentry ({columns}, prev_hash, hash)
        VALUES ({values}, v_prev, v_hash)
        RETURNING audit_auditentry.id INTO r_id;
        r_seq := v_seq;
        r_at := v_at;
        r_prev_hash := v_prev;
        r_hash := v_hash;
        RETURN NEXT;
        v_prev := v_hash;
    END LOOP;
END
$$
"""


def _value_sql(field: Any, connection: Any) -> str:
    """How the function reads one hashed field from an entry's JSON: JSON as JSON, text as text, the rest cast
    to the column's type (NULL stays NULL)."""
    key = field.attname
    if isinstance(field, models.JSONField):
        return f"e->'{key}'"
    if isinstance(field, models.CharField | models.TextField):
        # Text as is: the INSERT's assignment to varchar(n) refuses what is too long, where a cast would cut it.
        return f"(e->>'{key}')"
    return f"(e->>'{key}')::{field.db_type(connection)}"


def append_function_sql(connection: Any) -> str:
    by_attname = {f.attname: f for f in AuditEntry._meta.concrete_fields}
    fields = [by_attname[name] for name in HASHED_FIELDS]
    columns = [*_OWN_COLUMNS, *(f.column for f in fields)]
    values = [*_OWN_VALUES, *(_value_sql(f, connection) for f in fields)]
    return _FUNCTION.replace("{columns}", ", ".join(columns)).replace("{values}", ", ".join(values))


def install(apps: Any, schema_editor: Any) -> None:
    """A migration's RunPython: (re)create the functions as the current definition generates them."""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TIME_JSON)
            cursor.execute(append_function_sql(schema_editor.connection))
