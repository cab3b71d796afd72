from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "shequ.indicators"
    label = "indicators"
    verbose_name = _("Plan indicators")

    def ready(self) -> None:
        # The figures that belong to no domain module: population and the area tree itself (geo sits below).
        from .figures import FIGURES
        from .registry import register_figures

        register_figures(FIGURES)
