from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "shequ.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer service")

    def ready(self) -> None:
        # The figures the plan's indicators read (shequ/indicators/registry.py).
        from shequ.indicators.registry import register_figures

        from .figures import FIGURES

        register_figures(FIGURES)
