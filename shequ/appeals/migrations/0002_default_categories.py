"""Shenzhen default categories (two levels) with deadlines and Open311 attributes, as data."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "categories.json"


def load(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    items = json.loads(DATA.read_text(encoding="utf-8"))["categories"]
    by_code = {}
    for item in items:
        parent = by_code.get(item["parent"]) if item["parent"] else None
        obj, _ = Category.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "parent": parent,
                "default_urgency": item["default_urgency"],
                "keywords": item["keywords"],
                "sort": item["sort"],
                "attributes": item["attributes"],
                "reply_deadlines": item["reply_deadlines"],
            },
        )
        by_code[item["code"]] = obj


def unload(apps, schema_editor):
    apps.get_model("appeals", "Category").objects.filter(parent__isnull=False).delete()
    apps.get_model("appeals", "Category").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
