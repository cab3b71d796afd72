"""On PostgreSQL, appeal numbers come from a sequence: nextval() takes no lock held to COMMIT, so concurrent
intakes no longer queue on the day's counter row (bench/RESULTS.md). SQLite serialises every writer anyway and
keeps the per-day counter rows (AppealNumber)."""

from django.db import migrations

SEQUENCE = "appeals_appeal_number_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Start above every per-day counter used so far, so that no new number repeats an old one of the same day.
        from django.db.models import Max

        used = apps.get_model("appeals", "AppealNumber").objects.aggregate(top=Max("last"))["top"] or 0
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START {int(used) + 1} CACHE 1")


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_kpidaily")]

    operations = [migrations.RunPython(create_sequence, drop_sequence, elidable=False)]
