"""The default skills and 志愿深圳's star levels, as data a city edits (shequ.volunteers.choices)."""

from django.db import migrations

from shequ.volunteers.choices import DEFAULT_SKILLS, DEFAULT_STARS, STAR_WINDOW_DAYS


def load(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    StarLevel = apps.get_model("volunteers", "StarLevel")
    for code, name, sort in DEFAULT_SKILLS:
        Skill.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
    for stars, hours in DEFAULT_STARS:
        StarLevel.objects.get_or_create(
            stars=stars, defaults={"min_hours": hours, "window_days": STAR_WINDOW_DAYS}
        )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
