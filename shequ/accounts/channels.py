"""Pluggable message channels. The embedded default writes to the outbox table and the server log (the console
shows both); production plugs an SMS gateway in through settings.SHEQU_SMS_CHANNEL."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from shequ.core.masking import mask_phone

from .models import OutboxMessage

log = logging.getLogger("shequ.outbox")


class OutboxChannel:
    name = "outbox"

    def send(self, *, recipient: str, body: str, purpose: str) -> OutboxMessage:
        message = OutboxMessage.objects.create(
            channel="sms",
            recipient=recipient,
            recipient_masked=mask_phone(recipient),
            body=body,
            purpose=purpose,
        )
        # The phone is masked in the log line; the body carries only the code.
        log.info("outbox sms to %s: %s", mask_phone(recipient), body)
        return message


def sms_channel() -> OutboxChannel:
    return import_string(settings.SHEQU_SMS_CHANNEL)()
