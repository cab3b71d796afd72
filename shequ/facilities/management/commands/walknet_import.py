import json

from django.core.management.base import BaseCommand, CommandError

from shequ.audit.context import audit_context
from shequ.core.errors import ShequError
from shequ.facilities.coverage import walknet_load


class Command(BaseCommand):
    help = (
        "Load a walking network for the 15-minute circle from a GeoJSON FeatureCollection of LineStrings in WGS84 "
        "(format: shequ/facilities/coverage.py). Replaces the loaded network; run circle_compute afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                collection = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            with audit_context(channel="command"):
                nodes, edges = walknet_load(collection=collection)
        except ShequError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{nodes} nodes, {edges} edges")
