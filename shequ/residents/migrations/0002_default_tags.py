"""The special groups of the plan as data (低保, 特困, 残疾, 独居老人, 留守儿童, 优抚对象 …)."""

from django.db import migrations

from shequ.residents.choices import DEFAULT_TAGS


def load(apps, schema_editor):
    Tag = apps.get_model("residents", "Tag")
    for sort, (code, name, vulnerable) in enumerate(DEFAULT_TAGS):
        Tag.objects.update_or_create(
            code=code, defaults={"name": name, "vulnerable": vulnerable, "sort": sort}
        )


def unload(apps, schema_editor):
    apps.get_model("residents", "Tag").objects.filter(code__in=[c for c, _, _ in DEFAULT_TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
