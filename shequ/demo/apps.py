from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Synthetic demo data. It sits on top of every app (calls their services); nothing imports it."""

    name = "shequ.demo"
    label = "demo"
    verbose_name = _("Demo data")
