from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    label = "appeals"
    verbose_name = _("Citizen appeals")

    def ready(self) -> None:
        # The figures the plan's indicators read (shequ/indicators/registry.py).
        from shequ.indicators.registry import register_figures

        from .figures import FIGURES

        register_figures(FIGURES)
