from django.db import migrations, models

# Frozen copy of appeals.timeline.TEXT_FOR_REQUESTER at the time of this migration.
TEXT_FOR_REQUESTER = ("reply", "reject", "partner_update")


def copy_texts_for_the_requester(apps, schema_editor):
    """Entries written before the split: the reply, the rejection reason and partner updates were addressed to
    the requester, so their note is his text too; every other note stays staff's."""
    Event = apps.get_model("appeals", "Event")
    Event.objects.filter(action__in=TEXT_FOR_REQUESTER, public=True).update(resident_text=models.F("note"))


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0013_number_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="resident_text",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(copy_texts_for_the_requester, migrations.RunPython.noop),
    ]
