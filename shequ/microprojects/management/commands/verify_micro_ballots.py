"""Verify the ballot chain of every micro-project round (or the ones named): exit 1 on any problem."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shequ.microprojects.chain import verify_round
from shequ.microprojects.models import Round


class Command(BaseCommand):
    help = "Verify the hash chain of micro-project ballots."

    def add_arguments(self, parser):
        parser.add_argument("round_ids", nargs="*", type=int)

    def handle(self, *args, round_ids, **options):
        rounds = Round.objects.filter(pk__in=round_ids) if round_ids else Round.objects.all()
        bad = 0
        for rnd in rounds.order_by("pk"):
            report = verify_round(rnd)
            if report.ok:
                self.stdout.write(f"round {rnd.pk}: {report.checked} ballots, chain intact")
            else:
                bad += 1
                self.stdout.write(f"round {rnd.pk}: BROKEN")
                for problem in report.problems:
                    self.stdout.write(f"  {problem}")
        if bad:
            raise SystemExit(1)
