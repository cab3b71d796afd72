"""python manage.py care_scan [--days 7] — elders living alone with no visit in N days become discovery entries."""

from django.core.management.base import BaseCommand

from shequ.care.services import discoveries_scan_no_visit


class Command(BaseCommand):
    help = "Make discovery entries for elders living alone not visited in N days (one per person per week)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days: int, **options):
        self.stdout.write(f"new entries {discoveries_scan_no_visit(days=days)}")
