"""System checks of signing in: the text-message channel names a class that sends, and never the demo channel
where the settings do not allow it (production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def check_sms_channel(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from django.utils.module_loading import import_string

    try:
        cls = import_string(settings.SHEQU_SMS_CHANNEL)
    except ImportError as exc:
        return [checks.Error(f"SHEQU_SMS_CHANNEL cannot be imported: {exc}", id="accounts.E001")]
    if not callable(getattr(cls, "send", None)):
        return [checks.Error(f"SHEQU_SMS_CHANNEL {cls!r} has no send() method", id="accounts.E001")]
    if getattr(cls, "demo", False) and not settings.SHEQU_SMS_DEMO_ALLOWED:
        return [
            checks.Error(
                f"SHEQU_SMS_CHANNEL {settings.SHEQU_SMS_CHANNEL} is a demo channel (it keeps sign-in codes on the "
                "server); name a real SMS gateway",
                hint="Subclass shequ.accounts.channels.GatewayChannel and implement deliver().",
                id="accounts.E002",
            )
        ]
    return []
