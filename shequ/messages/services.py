"""Sending to people: one `message_send` for every module (DESIGN.md §2). The module says what happened; the
person's preference says how, besides the inbox that always keeps it.

The inbox row is written in the caller's transaction (it commits with the change it reports, or not at all); a
text message goes through the configured channel: in the transaction for a transactional channel (the embedded
outbox), after COMMIT for a gateway.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shequ.accounts.channels import sms_channel
from shequ.accounts.models import User
from shequ.audit.services import audit_record
from shequ.core.db import insert_rows

from .models import Message


def sms_send(*, phone: str, body: str, purpose: str) -> None:
    """A text message to a phone, for a person without an account too (a caller on the 12345 line)."""
    if not phone or not body:
        return
    channel = sms_channel()
    if getattr(channel, "transactional", False):
        channel.send(recipient=phone, body=body, purpose=purpose)
    else:
        transaction.on_commit(lambda: channel.send(recipient=phone, body=body, purpose=purpose))


def wants_sms(person: User) -> bool:
    return person.sms_notifications


def message_send(
    *,
    person: User,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    sms_body: str = "",
    phone: str = "",
) -> Message:
    """Tell `person`: always in his inbox; by text message too when the sender wrote one (`sms_body`) and the
    person wants them. `phone` overrides the account's (an appeal's contact phone)."""
    texted = bool(sms_body) and wants_sms(person) and bool(phone or person.phone)
    message = Message(person=person, kind=kind, title=title[:100], body=body, link=link[:200], sms=texted)
    # Without RETURNING: inside an intake's batch of writes it costs no round trip of its own.
    insert_rows([message])
    if texted:
        sms_send(phone=phone or person.phone, body=sms_body, purpose=kind)
    return message


def message_mark_read(*, person: User, pk: int | None = None) -> int:
    """Mark one of the person's messages read (or all of them); answers how many changed."""
    qs = Message.objects.filter(person=person, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())


def preference_set(*, person: User, sms: bool) -> User:
    with transaction.atomic():
        before = (
            User.objects.select_for_update().values_list("sms_notifications", flat=True).get(pk=person.pk)
        )
        if before != sms:
            User.objects.filter(pk=person.pk).update(sms_notifications=sms)
            audit_record(
                action="messages.preference",
                actor=person,
                obj=person,
                changes={"sms_notifications": {"before": before, "after": sms}},
            )
        person.sms_notifications = sms
    return person
