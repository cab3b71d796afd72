from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shequ.core.db import bulk
from shequ.geo.citypack import CityPackError, load_city_pack
from shequ.geo.models import Area


class Command(BaseCommand):
    help = "Load a city pack (area tree, codes, boundaries, population) in one transaction; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("name", help="pack name under shequ/geo/citypacks/, e.g. shenzhen")
        parser.add_argument("--path", type=Path, help="load the pack from this folder instead")

    def handle(self, *args, name: str, path: Path | None = None, **options):
        try:
            report = load_city_pack(name, directory=path)
        except CityPackError as exc:
            raise CommandError(f"city pack not loaded, nothing written: {exc}") from exc
        bulk.analyze([Area])  # the planner's statistics for the tree just written (docs/operations.md)
        self.stdout.write(self.style.SUCCESS(report.summary()))
