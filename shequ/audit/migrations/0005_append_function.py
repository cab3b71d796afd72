"""An append to the audit trail as one prepared function call on PostgreSQL: `audit_append`.

`audit_append(lock, chain, entries, after)` takes the chain's transaction-level advisory lock, reads the chain's
head hash (its latest entry's, else its latest purge anchor's, else the genesis hash), and inserts the entries in
order, each with the next number of the entries' sequence, the time read under the lock, the previous entry's
hash and its own. It returns each entry's id, seq, time, previous hash and hash.

PL/pgSQL runs each statement of a VOLATILE function with a snapshot of its own under READ COMMITTED, so the head is
read after the lock was granted, as the three statements sent together before it did (services._append).

The hash is the one `shequ.core.chain.chain_hash` defines: sha256 over the previous hash and the canonical JSON of the
entry. The caller sends each entry's canonical JSON in three parts, cut where the time's and the seq's values go
(`services._canonical_parts`); the function puts in the time as JSON of what Python's `isoformat()` writes in UTC
(`audit_time_json`: microseconds only when not zero) and the seq's digits. The caller checks every returned hash
against its own computation over the returned values and fails the transaction on a difference.

`after` is not used inside: the caller passes an expression over the rows its batch of writes has just written,
which makes PostgreSQL finish those writes before it calls the function (db.batch.read_after_writes), so the
chain's lock is still taken after the rows those writes lock. PostgreSQL only.
"""

from django.db import migrations

TIME_JSON = """
CREATE OR REPLACE FUNCTION audit_time_json(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT '"' || to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN extract(microseconds FROM p_at)::bigint % 1000000 = 0 THEN ''
                ELSE '.' || lpad((extract(microseconds FROM p_at)::bigint % 1000000)::text, 6, '0') END
        || '+00:00"'
$$
"""

FUNCTION = """
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
        INSERT INTO audit_auditentry (
            seq, chain, at, actor_id, actor_username, actor_role, action, object_type, object_id, object_repr,
            changes, purpose, ip, channel, request_id, prev_hash, hash
        ) VALUES (
            v_seq, p_chain, v_at, (e->>'actor_id')::bigint, e->>'actor_username', e->>'actor_role', e->>'action',
            e->>'object_type', e->>'object_id', e->>'object_repr', e->'changes', e->>'purpose',
            (e->>'ip')::inet, e->>'channel', e->>'request_id', v_prev, v_hash
        ) RETURNING audit_auditentry.id INTO r_id;
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


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TIME_JSON)
            cursor.execute(FUNCTION)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS audit_append(bigint, integer, jsonb, bigint)")
            cursor.execute("DROP FUNCTION IF EXISTS audit_time_json(timestamptz)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_parallel_chains")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
