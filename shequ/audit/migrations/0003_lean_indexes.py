"""The hash stays unique through a plain unique constraint: unique=True also made a LIKE index on PostgreSQL, a
second random-order index written by every audited change and never read (a hash is not searched by prefix).

SQLite alters a column by rebuilding the table, which drops its triggers: they are installed again here."""

from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from shequ.audit.triggers import install_triggers

    install_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(max_length=64, verbose_name="hash"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("hash",), name="audit_entry_hash_unique"),
        ),
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
