from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shequ.owners.chain import ballots_from_chain
from shequ.owners.models import Vote
from shequ.owners.services import tally_snapshot, vote_tally

COMPARED = ("total_area", "total_heads", "voted_area", "voted_heads", "yes_area", "yes_heads", "passed")


class Command(BaseCommand):
    help = (
        "Recompute an owners' vote's tally from its roll and ballots, and again from its ballot chain, and compare "
        "both with the published results."
    )

    def add_arguments(self, parser):
        parser.add_argument("vote", type=int)

    def handle(self, *args, vote: int, **options):
        v = Vote.objects.filter(pk=vote).exclude(status="draft").first()
        if v is None:
            raise CommandError(f"no published vote #{vote}")
        now = timezone.now()
        from_ballots = tally_snapshot(v, vote_tally(v), now)
        from_chain = tally_snapshot(v, vote_tally(v, ballots=ballots_from_chain(v)), now)
        differences = []
        for label, stored in (("preliminary", v.preliminary), ("final", v.final), ("chain", from_chain)):
            if not stored:
                continue
            for a, b in zip(from_ballots["matters"], stored["matters"], strict=True):
                for key in COMPARED:
                    if a[key] != b[key]:
                        differences.append(
                            f"matter {a['position']} {key}: recount {a[key]}, {label} {b[key]}"
                        )
        for m in from_ballots["matters"]:
            self.stdout.write(
                f"matter {m['position']} (item {m['item']}): area {m['voted_area']}/{m['total_area']} "
                f"heads {m['voted_heads']}/{m['total_heads']} yes {m['yes_area']} / {m['yes_heads']} "
                f"→ {'passed' if m['passed'] else 'failed'} ({', '.join(m['reasons'])})"
            )
        if differences:
            for d in differences:
                self.stdout.write(self.style.ERROR(d))
            raise CommandError("the recount differs")
        self.stdout.write(
            self.style.SUCCESS("the recount agrees with the ballots, the chain and the published results")
        )
