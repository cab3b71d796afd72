from django.core.management.base import BaseCommand

from shequ.accounts.models import User
from shequ.accounts.roles import Role
from shequ.demo.cast import CAST, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts (the fixed cast of DESIGN.md §8) with the TOTP secrets of demo staff."

    def handle(self, *args, **options):
        users = {u.username: u for u in User.objects.filter(username__in=[m.username for m in CAST])}
        self.stdout.write(f"Demo accounts (synthetic). Password for all: {DEMO_PASSWORD}")
        self.stdout.write(
            "Staff sign in at /accounts/login/ with the password, then a code from an authenticator"
        )
        self.stdout.write(
            "app holding the TOTP secret below (or: .venv/bin/python -c \"import pyotp;print(pyotp.TOTP('SECRET').now())\")."
        )
        self.stdout.write(
            "Residents sign in at /accounts/resident/ with phone + password or a text-message code; the"
        )
        self.stdout.write(
            "embedded demo channel sends no SMS and shows the code on that page, to the browser that asked only"
        )
        self.stdout.write(
            "(the outbox at /console/outbox/ and the log keep the message with the code masked)."
        )
        self.stdout.write(
            "Staff accounts sign in at /accounts/login/ only: the residents' page refuses them."
        )
        for m in CAST:
            user = users.get(m.username)
            if user is None:
                self.stdout.write(f"  {m.username:<10} (missing: run seed_demo)")
                continue
            secret = user.totp_secret if m.role != Role.RESIDENT else "-"
            self.stdout.write(
                f"  {m.username:<10} {m.name:<3}  {Role(m.role).label:<26} phone {m.phone}  TOTP {secret}"
            )
