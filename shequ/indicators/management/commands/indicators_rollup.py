"""Compute the plan's indicators for every area now (the nightly task does the same): `manage.py indicators_rollup
[--area CODE] [--day YYYY-MM-DD]`."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from shequ.geo.models import Area
from shequ.indicators.services import indicator_catalogue_sync, indicator_rollup


class Command(BaseCommand):
    help = "Store the plan's indicators and compute them for every area (city to community)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--area", help="only this area and what lies under it")
        parser.add_argument("--day", help="the day the values stand for (default today)")

    def handle(self, *args, **options) -> None:
        root = None
        if options["area"]:
            root = Area.objects.filter(code=options["area"]).first()
            if root is None:
                raise CommandError(f"no area {options['area']}")
        day = date.fromisoformat(options["day"]) if options["day"] else None
        synced = indicator_catalogue_sync()
        run = indicator_rollup(day=day, root=root)
        self.stdout.write(f"catalogue {synced}; {run.values} values for {run.areas} areas in {run.seconds} s")
