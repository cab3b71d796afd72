"""The head of an audit chain read by one prepared function call instead of three statements sent as text.

`audit_chain_head(lock, chain, count, after)` takes the chain's transaction-level advisory lock, then reads the
chain's head hash (its latest entry's, else its latest purge anchor's) and `count` new numbers of the entries'
sequence. PL/pgSQL runs each statement of a VOLATILE function with a snapshot of its own under READ COMMITTED, so
the head is read after the lock was granted, as the three statements sent together did (services._locked_chain_head).
`after` is not used inside: the caller passes an expression over the rows its batch of writes has just written,
which makes PostgreSQL finish those writes before it calls the function (dbbatch.read_after_writes). PostgreSQL only.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_head(p_lock bigint, p_chain integer, p_count integer, p_after bigint)
RETURNS TABLE (head varchar, seqs bigint[])
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    head := COALESCE(
        (SELECT e.hash FROM audit_auditentry e WHERE e.chain = p_chain ORDER BY e.seq DESC LIMIT 1),
        (SELECT a.last_hash FROM audit_auditanchor a WHERE a.chain = p_chain
         ORDER BY a.purged_through_seq DESC LIMIT 1)
    );
    seqs := ARRAY(SELECT nextval('audit_auditentry_seq_seq') FROM generate_series(1, p_count));
    RETURN NEXT;
END
$$
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FUNCTION)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS audit_chain_head(bigint, integer, integer, bigint)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_parallel_chains")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
