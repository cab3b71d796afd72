from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "shequ.facilities"
    label = "facilities"
    verbose_name = _("Service facilities")

    def ready(self) -> None:
        from shequ.indicators.registry import register_figures

        from .figures import FIGURES
        from .type_figures import FIGURES as TYPE_FIGURES

        register_figures(FIGURES)
        register_figures(TYPE_FIGURES)  # counts by facility type (社康, 社工站, 托育 …)
