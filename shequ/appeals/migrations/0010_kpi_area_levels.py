"""KpiAreaDaily and KpiAreaMonthly: the rollups without the unit, filled from the rows already kept (one
INSERT … SELECT … GROUP BY each, as kpis._resum does with the current models)."""

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


def fill(apps, schema_editor):
    keys = "area_id, area_path, category_id"
    sums = ", ".join(f"SUM({n})" for n in COUNTERS)
    with schema_editor.connection.cursor() as cursor:
        for period, target, source in (
            ("day", "appeals_kpiareadaily", "appeals_kpidaily"),
            ("month", "appeals_kpiareamonthly", "appeals_kpimonthly"),
        ):
            cursor.execute(
                f"INSERT INTO {target} ({period}, {keys}, {', '.join(COUNTERS)}) "  # noqa: S608 - fixed names
                f"SELECT {period}, {keys}, {sums} FROM {source} GROUP BY {period}, {keys}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0009_lean_indexes"),
        ("geo", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="KpiAreaDaily",
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
                ("day", models.DateField(verbose_name="day")),
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
            ],
            options={
                "verbose_name": "KPI day by area",
                "verbose_name_plural": "KPI days by area",
                "indexes": [
                    models.Index(
                        fields=["area_path"],
                        name="appeals_kpiad_path_prefix",
                        opclasses=["varchar_pattern_ops"],
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("day"),
                        models.F("area"),
                        django.db.models.functions.comparison.Coalesce("category", 0),
                        name="appeals_kpiad_one_row_per_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="KpiAreaMonthly",
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
            ],
            options={
                "verbose_name": "KPI month by area",
                "verbose_name_plural": "KPI months by area",
                "indexes": [
                    models.Index(
                        fields=["area_path"],
                        name="appeals_kpiam_path_prefix",
                        opclasses=["varchar_pattern_ops"],
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("month"),
                        models.F("area"),
                        django.db.models.functions.comparison.Coalesce("category", 0),
                        name="appeals_kpiam_one_row_per_key",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
