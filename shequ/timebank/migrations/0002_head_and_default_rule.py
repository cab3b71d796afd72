"""The ledger's head row and the city's default rule: 1 hour of service = 1 时间币, no caps, expiry and inheritance
off. Caps are set per area as data (for example 长宁: 120 minutes a day, 36,000 a person)."""

from django.db import migrations


def create(apps, schema_editor):
    LedgerHead = apps.get_model("timebank", "LedgerHead")
    TimebankRule = apps.get_model("timebank", "TimebankRule")
    LedgerHead.objects.get_or_create(pk=1)
    if not TimebankRule.objects.filter(area__isnull=True).exists():
        TimebankRule.objects.create(name="深圳市默认规则", rate=1)


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
