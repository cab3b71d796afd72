from django.core.management.base import BaseCommand

from shequ.audit.context import audit_context
from shequ.facilities.coverage import circle_compute


class Command(BaseCommand):
    help = (
        "Compute the 15-minute service circle by population for the whole city (every building against every "
        "required facility type, as the crow flies and along the walking network if one is loaded), the coverage "
        "per community and the suggested sites per street, and store them for the pages."
    )

    def handle(self, *args, **options):
        with audit_context(channel="command"):
            run = circle_compute()
        self.stdout.write(
            f"{run.buildings} buildings ({run.buildings_unlocated} without a point or population), "
            f"walking network nodes {run.network_nodes}, {run.seconds:.2f} s"
        )
