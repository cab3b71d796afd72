from django.db import migrations

from shequ.participation.choices import DEFAULT_CATEGORIES


def load(apps, schema_editor):
    Category = apps.get_model("participation", "Category")
    for code, name, sort in DEFAULT_CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
