"""Never two bookings of one place at one time, decided by PostgreSQL: an exclusion constraint over the booking's
time range [start, end) and its venue, for the statuses that hold a place (choices.HOLDING). btree_gist lets the
GiST index compare the venue id with `=`. SQLite has no exclusion constraints: there every transaction takes the
write lock at BEGIN (transaction_mode IMMEDIATE) and the service checks for an overlap inside it.

The default no-show rule (3 no-shows in 30 days → 30 days without booking) is data, loaded here."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

NAME = "venues_booking_no_overlap"
HOLDING = ["pending", "confirmed", "checked_in", "offered"]


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _constraint() -> ExclusionConstraint:
    return ExclusionConstraint(
        name=NAME,
        expressions=[
            (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
            ("venue", RangeOperators.EQUAL),
        ],
        condition=models.Q(status__in=HOLDING),
    )


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_constraint(apps.get_model("venues", "Booking"), _constraint())


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_constraint(apps.get_model("venues", "Booking"), _constraint())


def default_rule(apps, schema_editor):
    apps.get_model("venues", "BanRule").objects.get_or_create(
        name="default", defaults={"strikes": 3, "window_days": 30, "ban_days": 30}
    )


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [
        BtreeGistExtension(),  # does nothing on SQLite
        migrations.RunPython(add, remove, elidable=False),
        migrations.RunPython(default_rule, migrations.RunPython.noop),
    ]
