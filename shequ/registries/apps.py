from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "shequ.registries"
    label = "registries"
    verbose_name = _("Community registries")

    def ready(self) -> None:
        from shequ.indicators.registry import register_figures

        from .figures import FIGURES

        register_figures(FIGURES)
