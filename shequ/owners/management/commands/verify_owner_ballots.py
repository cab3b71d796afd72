from django.core.management.base import BaseCommand, CommandError

from shequ.owners.chain import verify_vote
from shequ.owners.models import Vote


class Command(BaseCommand):
    help = "Verify the hash chain of owners' ballots (every vote, or one): edits, insertions and deletions."

    def add_arguments(self, parser):
        parser.add_argument("--vote", type=int, help="only this vote")

    def handle(self, *args, vote: int | None, **options):
        votes = Vote.objects.exclude(status="draft").order_by("pk")
        if vote is not None:
            votes = votes.filter(pk=vote)
            if not votes.exists():
                raise CommandError(f"no published vote #{vote}")
        bad = 0
        for v in votes:
            report = verify_vote(v)
            if report.ok:
                self.stdout.write(
                    f"vote #{v.pk}: ok, {report.checked} records, head #{v.chain_seq} {v.chain_hash}"
                )
            else:
                bad += 1
                self.stdout.write(self.style.ERROR(f"vote #{v.pk}: BROKEN"))
                for p in report.problems:
                    self.stdout.write(f"  {p}")
        if bad:
            raise CommandError(f"{bad} vote(s) failed verification")
