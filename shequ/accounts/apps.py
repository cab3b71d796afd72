from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shequ.accounts"
    label = "accounts"
    verbose_name = _("Accounts and units")

    def ready(self) -> None:
        from .checks import check_sms_channel

        checks.register(check_sms_channel, checks.Tags.security)


class ShequAdminConfig(admin_apps.AdminConfig):
    """Django's admin with its site behind the staff sign-in (admin_site.py). Named in INSTALLED_APPS."""

    default = False
    default_site = "shequ.accounts.admin_site.ShequAdminSite"
