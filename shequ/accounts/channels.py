"""Pluggable message channels. The embedded default writes to the outbox table and the server log (the console
shows both); production plugs an SMS gateway in through settings.SHEQU_SMS_CHANNEL."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from shequ.core.dbbatch import insert_rows
from shequ.core.masking import mask_phone

from .models import OutboxMessage

log = logging.getLogger("shequ.outbox")


class OutboxChannel:
    """Writes the message as a row of the outbox table. `transactional`: a caller inside a transaction may send
    through it there, and the row then commits with the change it reports, or not at all (a transactional
    outbox). A channel that talks to a gateway is not transactional and must be called after COMMIT."""

    name = "outbox"
    transactional = True

    def send(self, *, recipient: str, body: str, purpose: str) -> OutboxMessage:
        message = OutboxMessage(
            channel="sms",
            recipient=recipient,
            recipient_masked=mask_phone(recipient),
            body=body,
            purpose=purpose,
        )
        # Without its id: nobody needs it, and in a batch of writes (intake's) it costs no round trip of its own.
        insert_rows([message])
        # The phone is masked in the log line; the body carries only the code. Logged once the row is committed.
        masked = mask_phone(recipient)
        transaction.on_commit(lambda: log.info("outbox sms to %s: %s", masked, body))
        return message


def sms_channel() -> OutboxChannel:
    return import_string(settings.SHEQU_SMS_CHANNEL)()
