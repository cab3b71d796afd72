"""System checks of the core: is next year's holiday calendar loaded in time?"""

from datetime import date

from django.core.checks import Info, register
from django.db import DatabaseError
from django.utils import timezone


@register("shequ")
def check_calendar_coverage(app_configs=None, databases=None, **kwargs):
    """Runs only when the caller names databases (migrate, `check --database default`): checks must not touch the
    database otherwise (a Celery worker runs them at start-up, tests run them without database access)."""
    from .models import CalendarDay

    if not databases:
        return []
    today = timezone.localdate()
    needed = [today.year] + ([today.year + 1] if today >= date(today.year, 11, 1) else [])
    try:
        covered = {d.year for d in CalendarDay.objects.filter(date__year__in=needed).dates("date", "year")}
    except DatabaseError:  # not migrated yet
        return []
    missing = [y for y in needed if y not in covered]
    if not missing:
        return []
    # Info, not Warning: the platform keeps working (Monday–Friday) and CI must not fail on the calendar date.
    return [
        Info(
            f"The working-day calendar has no public holidays for {', '.join(map(str, missing))}; deadlines in "
            "those years count Monday–Friday only.",
            hint="Load the State Council's schedule: python manage.py calendar_add_year YEAR --file FILE",
            id="core.I001",
        )
    ]
