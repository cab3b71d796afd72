"""Load the 2024–2026 State Council holiday schedules from core/data/holidays_cn.json.

Idempotent (update_or_create by date), so re-running it, or running it over rows loaded by
`calendar_add_year`, converges on the file's contents. Later years are added with
`manage.py calendar_add_year` or a new data migration, not by editing this one.
"""

import json
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays_cn.json"


def _rows():
    with DATA_FILE.open(encoding="utf-8") as f:
        doc = json.load(f)
    for entry in doc["years"].values():
        source = entry.get("notice", "")
        for kind, key in (("holiday", "holidays"), ("workday", "workdays")):
            for item in entry[key]:
                yield item["date"], kind, item["name"], source


def load_holidays(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    for day, kind, name, source in _rows():
        CalendarDay.objects.update_or_create(
            date=day, defaults={"kind": kind, "name": name, "source": source}
        )


def unload_holidays(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarDay.objects.filter(date__in=[day for day, *_ in _rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load_holidays, unload_holidays)]
