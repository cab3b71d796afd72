"""What a browser test's data needs after an earlier transactional test's flush emptied every table."""

from __future__ import annotations


def restore_migrated_data() -> None:
    """The rows data migrations wrote (the default categories and their emergency questions), which the flush
    removed: put back by the migrations' own functions (and the facility types by their service). The city pack is
    reloaded by each fixture beside this."""
    import importlib

    from django.apps import apps

    from shequ.appeals.models import Category
    from shequ.facilities.services import facility_types_ensure
    from shequ.residents.models import Tag

    facility_types_ensure()
    if not Tag.objects.exists():
        importlib.import_module("shequ.residents.migrations.0002_default_tags").load(apps, None)
    if Category.objects.exists():
        return
    importlib.import_module("shequ.appeals.migrations.0002_default_categories").load(apps, None)
    importlib.import_module("shequ.appeals.migrations.0015_emergency_questions").add_questions(apps, None)
