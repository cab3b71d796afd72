from django.core.management.base import BaseCommand

from shequ.accounts.models import User
from shequ.demo.seed import CAST, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts (the fixed cast of DESIGN.md §8) and how to sign in."

    def handle(self, *args, **options):
        present = set(
            User.objects.filter(username__in=[c[0] for c in CAST]).values_list("username", flat=True)
        )
        self.stdout.write(f"Demo accounts (synthetic; password for all: {DEMO_PASSWORD})")
        for username, name, role, area in CAST:
            mark = "" if username in present else "  (missing: run seed_demo)"
            self.stdout.write(f"  {username:<10} {name:<4} {role:<30} area {area}{mark}")
