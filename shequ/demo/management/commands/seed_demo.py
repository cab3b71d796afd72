from django.core.management.base import BaseCommand, CommandError

from shequ.audit.context import audit_context
from shequ.demo.seed import SeedError, seed_demo


class Command(BaseCommand):
    help = (
        "Create deterministic synthetic demo data (units, grids, estates, buildings, the cast); idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["small", "city"],
            default="small",
            help="small: the cast's streets (seconds); city: every street",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--appeals",
            type=int,
            default=None,
            help="synthetic appeals of the living year (default 4000); e.g. 1000000 at city scale on PostgreSQL",
        )

    def handle(self, *args, scale: str, seed: int, appeals: int | None, **options):
        try:
            with audit_context(channel="command"):
                report = seed_demo(scale=scale, seed=seed, appeals=appeals)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data ({scale}, seed {seed}), newly created: "
                f"{report.summary() or 'nothing (already there)'}"
            )
        )
