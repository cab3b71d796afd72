from django.core.management.base import BaseCommand, CommandError

from shequ.accounts.models import ApiToken
from shequ.accounts.tokens import token_revoke
from shequ.audit.context import audit_context


class Command(BaseCommand):
    help = "List API tokens or revoke one: tokens list [--user U] | tokens revoke PREFIX"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        ls = sub.add_parser("list")
        ls.add_argument("--user", default="")
        rv = sub.add_parser("revoke")
        rv.add_argument("prefix")

    def handle(self, *args, verb: str, **options):
        if verb == "list":
            qs = ApiToken.objects.select_related("user").order_by("-created_at")
            if options.get("user"):
                qs = qs.filter(user__username=options["user"])
            for t in qs:
                state = "revoked" if t.revoked_at else "active"
                expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
                self.stdout.write(
                    f"{t.prefix}  {t.user.username:<12} {state:<8} created {t.created_at:%Y-%m-%d} "
                    f"expires {expires}  {t.name}"
                )
            return
        prefix = options["prefix"]
        if not ApiToken.objects.filter(prefix=prefix).exists():
            raise CommandError(f"no token with prefix {prefix!r}")
        with audit_context(channel="command"):
            token_revoke(prefix=prefix, channel="command")
        self.stdout.write(f"token {prefix}… revoked")
