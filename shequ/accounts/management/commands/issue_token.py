from django.core.management.base import BaseCommand, CommandError

from shequ.accounts.models import User
from shequ.accounts.tokens import token_issue
from shequ.audit.context import audit_context


class Command(BaseCommand):
    help = "Issue an API bearer token for a user and print it once (audited)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--days", type=int, default=90, help="validity in days (0 = no expiry)")

    def handle(self, *args, username: str, name: str, days: int, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        if days < 0:
            raise CommandError("--days must be 0 or more")
        with audit_context(channel="command"):
            token, raw = token_issue(user=user, name=name, days=days or None, channel="command")
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        self.stderr.write(f"token {token.prefix}… for {username}, expires {expiry}; it is shown only once:")
        self.stdout.write(raw)
