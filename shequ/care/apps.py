from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "shequ.care"
    label = "care"
    verbose_name = _("Care for people in difficulty")

    def ready(self) -> None:
        # Repeated appeals by a person are a discovery signal (issue 28 item 2): care sits above appeals and hears
        # of every intake through the hook appeals offers (DESIGN.md §2); appeals never imports care.
        if apps.is_installed("shequ.appeals"):
            from shequ.appeals.hooks import register_intake_hook

            register_intake_hook(_on_intake)


def _on_intake(appeal) -> None:
    requester_id = appeal.requester_id
    if requester_id is None:
        return
    from django.db import transaction

    from .services import discoveries_from_appeals

    # Counting is a read the intake need not wait for: after COMMIT.
    transaction.on_commit(lambda: discoveries_from_appeals(requester_id=requester_id))
