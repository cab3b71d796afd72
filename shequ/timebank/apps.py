from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "shequ.timebank"
    label = "timebank"
    verbose_name = _("Time bank")

    def ready(self) -> None:
        # The time bank sits above volunteers (DESIGN.md §2): volunteers calls what is registered here, inside the
        # transaction that confirms the hours, and never imports the time bank.
        if apps.is_installed("shequ.volunteers"):
            from shequ.volunteers.hooks import register_hours_confirmed_hook

            register_hours_confirmed_hook(_on_hours_confirmed)


def _on_hours_confirmed(record) -> None:
    from .services import timebank_earn_for_hours

    timebank_earn_for_hours(record)
