"""The audit trail as a few chains side by side (models.AuditEntry.chain), each with a lock of its own.

Every entry written so far is chain 0, and every anchor too, so the existing trail verifies as before. On
PostgreSQL `seq` now comes from a sequence, taken under the chain's lock (services._append); it starts after the
newest entry. SQLite keeps one chain and numbers it from its head, as before.

SQLite adds a column by rebuilding the table, which drops its triggers: they are installed again here.
"""

from django.conf import settings
from django.db import migrations, models

SEQUENCE = "audit_auditentry_seq_seq"


def install(apps, schema_editor):
    from shequ.audit.triggers import install_triggers

    connection = schema_editor.connection
    install_triggers(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint START WITH 1")
            newest = "SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_auditentry"
            cursor.execute(f"SELECT setval('{SEQUENCE}', ({newest}), false)")  # noqa: S608 - constant names


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_lean_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditanchor",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="chain"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="chain"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(
                help_text="Order in the trail: increasing within a chain, from 1.",
                unique=True,
                verbose_name="sequence",
            ),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["chain", "seq"], name="audit_entry_chain_seq"),
        ),
        migrations.RunPython(install, remove, elidable=False),
    ]
