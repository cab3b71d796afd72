"""The special groups of issue 28 that residents' default tags (residents 0002) lack: 空巢老人, 困境儿童,
困难退役军人, 刑满释放人员, 社区矫正对象, 严重精神障碍患者 … all vulnerable (PIPL sensitive)."""

from django.db import migrations

from shequ.care.choices import CARE_TAGS


def load(apps, schema_editor):
    Tag = apps.get_model("residents", "Tag")
    for sort, (code, name) in enumerate(CARE_TAGS, start=100):
        Tag.objects.update_or_create(code=code, defaults={"name": name, "vulnerable": True, "sort": sort})


def unload(apps, schema_editor):
    apps.get_model("residents", "Tag").objects.filter(code__in=[c for c, _ in CARE_TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial"), ("residents", "0002_default_tags")]
    operations = [migrations.RunPython(load, unload)]
