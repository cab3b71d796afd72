"""Appeal numbers from one city-wide counter on both databases (issue 20: one intake path).

PostgreSQL already drew them from the sequence of migration 0004. SQLite kept a counter row per day
(AppealNumber); it now draws from a `core.SequenceCounter` row of the same name as the sequence, which starts above
every per-day counter used so far, so that no new number repeats an old one of the same day. The per-day rows go.
"""

from django.db import migrations
from django.db.models import Max

SEQUENCE = "appeals_appeal_number_seq"


def seed_counter(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    used = apps.get_model("appeals", "AppealNumber").objects.aggregate(top=Max("last"))["top"] or 0
    counter = apps.get_model("core", "SequenceCounter")
    row, _ = counter.objects.get_or_create(name=SEQUENCE, defaults={"value": used})
    if row.value < used:
        row.value = used
        row.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0012_list_partial_indexes"),
        ("core", "0004_sequencecounter"),
    ]

    operations = [
        migrations.RunPython(seed_counter, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="AppealNumber"),
    ]
