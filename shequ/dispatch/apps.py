from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "shequ.dispatch"
    label = "dispatch"
    verbose_name = _("Smart dispatch")

    def ready(self) -> None:
        # The appeals app knows nothing of this one: dispatcher decisions reach us through its Event rows.
        from . import signals

        signals.connect()
