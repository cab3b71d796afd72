"""The default facility types of plan 5.1, as data."""

from django.db import migrations

from shequ.facilities.choices import DEFAULT_TYPES


def load(apps, schema_editor):
    FacilityType = apps.get_model("facilities", "FacilityType")
    for code, name, icon, colour, sort in DEFAULT_TYPES:
        FacilityType.objects.update_or_create(
            code=code, defaults={"name": name, "icon": icon, "colour": colour, "sort": sort}
        )


def unload(apps, schema_editor):
    codes = [row[0] for row in DEFAULT_TYPES]
    apps.get_model("facilities", "FacilityType").objects.filter(
        code__in=codes, facilities__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("facilities", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
