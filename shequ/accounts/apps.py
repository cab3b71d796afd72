from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shequ.accounts"
    label = "accounts"
    verbose_name = _("Accounts and units")

    def ready(self) -> None:
        from .checks import check_sms_channel

        checks.register(check_sms_channel, checks.Tags.security)
