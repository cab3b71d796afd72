"""The appeal text's bigram index (issue 22), PostgreSQL only: the console's and the API's search `q` reads it
instead of scanning every appeal (`text LIKE '%q%'`: 384 ms at 200,000 appeals, linear in the history).

Chinese search words are mostly two characters, which pg_trgm's trigram index cannot serve (a two-character
pattern yields no trigram: its GIN index returned all 200,000 rows for a recheck, 574 ms, against 0.1–24 ms here;
bench/pages/RESULTS.md). So the index is on the text's two-character substrings (GIN keeps each key once), a GIN over
`shequ_bigrams(text)`, and `shequ.core.db.ContainsByBigrams` asks `shequ_bigrams(text) @> shequ_bigrams(q)` beside the
LIKE. SQLite keeps the scan.

Built CONCURRENTLY (outside a transaction), so that intake keeps writing on a database that already holds millions
of appeals while the index is built.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION shequ_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(SELECT substr(t, i, 2) FROM generate_series(1, char_length(t) - 1) AS i)
$$
"""
INDEX = "appeals_text_bigrams"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON appeals_appeal USING gin (shequ_bigrams(text))"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS shequ_bigrams(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("appeals", "0016_supporter")]

    operations = [migrations.RunPython(add, remove, elidable=False)]
