"""python manage.py care_scan [--days 7] — the nightly scan by hand: elders not visited, missed bookings and
repeated-appeal warnings of people in special groups become discovery entries."""

from django.core.management.base import BaseCommand

from shequ.care.services import discoveries_scan


class Command(BaseCommand):
    help = (
        "Make discovery entries from the automatic signals of the last N days (a re-run makes nothing new)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days: int, **options):
        self.stdout.write(f"new entries {discoveries_scan(days=days)}")
