from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarlyWarningConfig(AppConfig):
    name = "shequ.earlywarning"
    label = "earlywarning"
    verbose_name = _("Early warning")
