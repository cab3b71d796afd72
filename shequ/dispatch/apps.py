from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "shequ.dispatch"
    label = "dispatch"
    verbose_name = _("Smart dispatch")

    def ready(self) -> None:
        # The appeals app knows nothing of this one: dispatcher decisions reach us through its Event rows.
        from shequ.appeals.panels import register_detail_panel, register_list_flag
        from shequ.appeals.suggest import register_model_suggester

        from . import signals
        from .selectors import duplicate_panel_for, open_duplicate_ids
        from .services import suggest

        signals.connect()
        register_detail_panel("dispatch/duplicates_panel.html", duplicate_panel_for)
        register_model_suggester(suggest)
        register_list_flag(_("Possible duplicate"), "warning", open_duplicate_ids)
