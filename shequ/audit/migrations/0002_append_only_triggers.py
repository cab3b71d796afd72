"""Database triggers that refuse UPDATE and DELETE on the audit tables (see shequ/audit/triggers.py).

PostgreSQL lets a DELETE of entries through only while the purge's transaction-local setting
shequ.audit_purge is 'on'; SQLite has no such setting, so the purge drops and re-creates the delete trigger
inside its own transaction (services._delete_through).
"""

from django.db import migrations


def install(apps, schema_editor):
    from shequ.audit.triggers import install_triggers

    install_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    from shequ.audit.triggers import remove_triggers

    remove_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
