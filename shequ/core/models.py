"""Core models shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")  # 节假日 (a day off, incl. 放假调休 days inside a break)
    WORKDAY = "workday", _("Make-up working day")  # 调休上班 (a weekend day that is worked)


class CalendarDay(models.Model):
    """One exceptional day of the working-day calendar.

    Only exceptions are stored: a holiday (a day off that would otherwise be a working day, or a weekend day
    inside a holiday break) or a make-up working day (调休上班, a Saturday or Sunday that is worked). Ordinary
    Monday–Friday working days and ordinary weekends have no row. A year counts as covered by the calendar as
    soon as it has any row, so load a whole year at once (`manage.py calendar_add_year`). Deadline arithmetic
    lives in `shequ.core.workdays`.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=50)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            # The calendar trusts `kind` blindly, so keep stray values out at the database level too.
            models.CheckConstraint(
                condition=models.Q(kind__in=DayKind.values), name="core_calendarday_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}"


class IdempotencyKey(models.Model):
    """A POST that created something, remembered by its Idempotency-Key so that a retry returns the first result.

    The row is claimed before the work starts (unique on scope + key): a concurrent retry waits on it instead of
    creating twice. Rows older than a day are purged.
    """

    scope = models.CharField(max_length=80)  # "user:<id>" or "anon:<client>"
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class SequenceCounter(models.Model):
    """A named counter that stands in for a PostgreSQL sequence on SQLite (`shequ.core.db.SequenceBlock`): the
    appeals' city-wide number counter, say. Incremented inside the writer's transaction (SQLite has one writer at
    a time), so a rolled-back value is drawn again; on PostgreSQL the sequence itself is used and this table stays
    empty."""

    name = models.CharField(max_length=63, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"
