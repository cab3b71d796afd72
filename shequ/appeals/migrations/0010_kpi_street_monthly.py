"""KpiStreetMonthly, filled from the monthly rows already kept (one GROUP BY over them and their community's
street; the same as kpis._rebuild_street_months, which reads the current models)."""

import django.db.models.deletion
import django.db.models.functions.comparison
import shequ.geo.models
from django.db import migrations, models


COUNTERS = (
    "received",
    "dispatched",
    "responded",
    "responded_on_time",
    "replied",
    "replied_on_time",
    "handling_seconds",
    "rated",
    "satisfied",
    "resolved",
    "reopened",
    "returned",
    "closed",
    "overdue",
    "rejected",
    "emergency_received",
    "emergency_dispatched_in_20min",
)
STREET_DEPTH = 2  # city 0, district 1, street 2 (geo.choices.LEVEL_DEPTH)


def fill_street_months(apps, schema_editor):
    from django.db.models import Case, F, Q, Sum, When

    monthly = apps.get_model("appeals", "KpiMonthly")
    street_monthly = apps.get_model("appeals", "KpiStreetMonthly")
    below = Q(area__depth__gt=STREET_DEPTH)
    rows = (
        monthly.objects.annotate(
            street_id=Case(When(below, then=F("area__parent_id")), default=F("area_id")),
            street_path=Case(When(below, then=F("area__parent__path")), default=F("area_path")),
        )
        .values("month", "unit_id", "street_id", "street_path", "category_id")
        .annotate(**{name: Sum(name) for name in COUNTERS})
        .order_by()
    )
    street_monthly.objects.bulk_create(
        (
            street_monthly(
                month=r["month"],
                unit_id=r["unit_id"],
                area_id=r["street_id"],
                area_path=r["street_path"],
                category_id=r["category_id"],
                **{name: int(r[name] or 0) for name in COUNTERS},
            )
            for r in rows.iterator(chunk_size=2000)
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("appeals", "0009_lean_indexes"),
        ("geo", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="KpiStreetMonthly",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received", models.PositiveIntegerField(default=0)),
                ("dispatched", models.PositiveIntegerField(default=0)),
                ("responded", models.PositiveIntegerField(default=0)),
                ("responded_on_time", models.PositiveIntegerField(default=0)),
                ("replied", models.PositiveIntegerField(default=0)),
                ("replied_on_time", models.PositiveIntegerField(default=0)),
                ("handling_seconds", models.PositiveBigIntegerField(default=0)),
                ("rated", models.PositiveIntegerField(default=0)),
                ("satisfied", models.PositiveIntegerField(default=0)),
                ("resolved", models.PositiveIntegerField(default=0)),
                ("reopened", models.PositiveIntegerField(default=0)),
                ("returned", models.PositiveIntegerField(default=0)),
                ("closed", models.PositiveIntegerField(default=0)),
                ("overdue", models.PositiveIntegerField(default=0)),
                ("rejected", models.PositiveIntegerField(default=0)),
                ("emergency_received", models.PositiveIntegerField(default=0)),
                ("emergency_dispatched_in_20min", models.PositiveIntegerField(default=0)),
                ("month", models.DateField(verbose_name="month")),
                ("area_path", shequ.geo.models.PathField(max_length=400, verbose_name="area path")),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.area"
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="appeals.category",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "KPI month by street",
                "verbose_name_plural": "KPI months by street",
                "indexes": [
                    models.Index(
                        fields=["area_path"],
                        name="appeals_kpis_path_prefix",
                        opclasses=["varchar_pattern_ops"],
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("month"),
                        django.db.models.functions.comparison.Coalesce("unit", 0),
                        models.F("area"),
                        django.db.models.functions.comparison.Coalesce("category", 0),
                        name="appeals_kpis_one_row_per_key",
                    )
                ],
            },
        ),
        migrations.RunPython(fill_street_months, migrations.RunPython.noop),
    ]
