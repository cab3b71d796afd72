"""Recount a micro-project round from its stored ballots and compare with the published result; exit 1 if the
chain is broken or the recount differs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from shequ.microprojects.chain import verify_round
from shequ.microprojects.models import Round
from shequ.microprojects.services import round_tally


class Command(BaseCommand):
    help = "Recompute a micro-project round's tally from its stored ballots."

    def add_arguments(self, parser):
        parser.add_argument("round_id", type=int)

    def handle(self, *args, round_id, **options):
        rnd = Round.objects.filter(pk=round_id).first()
        if rnd is None:
            raise CommandError(f"no round {round_id}")
        report = verify_round(rnd)
        outcome = round_tally(rnd)
        self.stdout.write(
            f"round {rnd.pk} ({rnd.method}, budget {rnd.budget}): {outcome.voters} ballots, "
            f"winners {outcome.winners}, spent {outcome.spent}"
        )
        for pk, n in sorted(outcome.votes.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  proposal {pk}: {n} votes")
        failed = not report.ok
        for problem in report.problems:
            self.stdout.write(f"  chain: {problem}")
        if rnd.result is not None:
            published = (rnd.result["winners"], rnd.result["spent"], rnd.result["votes"])
            recount = (outcome.winners, outcome.spent, {str(k): v for k, v in outcome.votes.items()})
            if published == recount:
                self.stdout.write("the recount matches the published result")
            else:
                failed = True
                self.stdout.write(f"the recount DIFFERS from the published result: {published}")
        if failed:
            raise SystemExit(1)
