"""Pluggable text-message channels, chosen by settings.SHEQU_SMS_CHANNEL.

A message that carries a secret (a sign-in code) travels as a body with the placeholder SECRET where the secret
goes, and the secret beside it: `send(recipient=..., body="验证码 {secret}", purpose=..., secret="123456")`. Only a
gateway channel (`GatewayChannel`) puts the two together, in the text it hands to the carrier; everything that
stays on our side (the outbox table, its page, the log) keeps the body with the secret masked.

The embedded default, `OutboxChannel`, is a demo channel (演示通道): it sends nothing and keeps each message in the
outbox table for the console. Production refuses it (config/settings/prod.py, the deploy check and
`sms_channel()`), so a system admin can never read a code someone else asked for.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.module_loading import import_string

from shequ.core.db import insert_rows
from shequ.core.masking import mask_phone

from .models import OutboxMessage

log = logging.getLogger("shequ.outbox")
# Where a message's secret (a sign-in code) goes in its body; only a gateway channel puts the secret there.
SECRET = "{secret}"  # noqa: S105 - a placeholder, not a secret
MASKED_SECRET = "******"  # noqa: S105


class SmsChannel(Protocol):
    name: str
    # A transactional channel may be called inside the caller's transaction (its row commits with the change it
    # reports); any other is called after COMMIT.
    transactional: bool
    # A demo channel keeps messages on the server and may show a code to the browser that asked for it; never in
    # production.
    demo: bool

    def send(self, *, recipient: str, body: str, purpose: str, secret: str = "") -> Any: ...


def compose(body: str, secret: str) -> str:
    """The text as the recipient reads it: for a gateway's adapter (and the demo's own browser), nothing else."""
    if secret and SECRET not in body:
        raise ValueError("a message with a secret needs the SECRET placeholder in its body")
    return body.replace(SECRET, secret)


def masked(body: str, secret: str = "") -> str:
    """The text as it may be stored, shown and logged: the secret replaced by asterisks, even where a careless
    caller wrote it into the body itself."""
    text = body.replace(SECRET, MASKED_SECRET)
    return text.replace(secret, MASKED_SECRET) if secret else text


class OutboxChannel:
    """The demo channel (演示通道): writes the message, its secret masked, as a row of the outbox table.

    `transactional`: a caller inside a transaction may send through it there, and the row then commits with the
    change it reports, or not at all (a transactional outbox). A channel that talks to a gateway is not
    transactional and must be called after COMMIT."""

    name = "outbox"
    transactional = True
    demo = True

    def send(self, *, recipient: str, body: str, purpose: str, secret: str = "") -> OutboxMessage:
        text = masked(body, secret)
        message = OutboxMessage(
            channel="sms",
            recipient=recipient,
            recipient_masked=mask_phone(recipient),
            body=text,
            purpose=purpose,
        )
        # Without its id: nobody needs it, and in a batch of writes (intake's) it costs no round trip of its own.
        insert_rows([message])
        # The phone is masked in the log line, and so is any secret. Logged once the row is committed.
        to = mask_phone(recipient)
        transaction.on_commit(lambda: log.info("outbox sms to %s: %s", to, text))
        return message


class GatewayChannel:
    """Base of a real SMS gateway's adapter: subclass it, implement `deliver`, and name the subclass in
    SHEQU_SMS_CHANNEL. The only place where a message's body and its secret come together."""

    name = "gateway"
    transactional = False
    demo = False

    def send(self, *, recipient: str, body: str, purpose: str, secret: str = "") -> None:
        self.deliver(recipient=recipient, text=compose(body, secret), purpose=purpose)

    def deliver(self, *, recipient: str, text: str, purpose: str) -> None:
        """Hand the text to the carrier. Log nothing of `text`: it may hold a code."""
        raise NotImplementedError


def channel_class() -> type:
    return import_string(settings.SHEQU_SMS_CHANNEL)


def sms_channel() -> SmsChannel:
    cls = channel_class()
    if getattr(cls, "demo", False) and not settings.SHEQU_SMS_DEMO_ALLOWED:
        raise ImproperlyConfigured(
            f"SHEQU_SMS_CHANNEL {settings.SHEQU_SMS_CHANNEL} is a demo channel, refused here: name a real SMS "
            "gateway (a subclass of shequ.accounts.channels.GatewayChannel)"
        )
    return cls()
