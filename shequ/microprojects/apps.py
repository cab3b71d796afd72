from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicroprojectsConfig(AppConfig):
    name = "shequ.microprojects"
    label = "microprojects"
    verbose_name = _("Micro projects")
