"""A prefix index on Area.path that each database's LIKE 'prefix%' can actually use.

PostgreSQL with a non-C collation only uses a b-tree for LIKE when the index has the pattern operator class;
SQLite only uses an index for its (case-insensitive) LIKE when the index is COLLATE NOCASE. Paths are digits
and slashes, so case folding changes nothing. tests/test_area_tree.py checks each plan with EXPLAIN.
"""

from django.db import migrations

INDEX = "geo_area_path_prefix"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {INDEX} ON geo_area (path varchar_pattern_ops)")
    elif vendor == "sqlite":
        schema_editor.execute(f"CREATE INDEX {INDEX} ON geo_area (path COLLATE NOCASE)")
    else:
        schema_editor.execute(f"CREATE INDEX {INDEX} ON geo_area (path)")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
