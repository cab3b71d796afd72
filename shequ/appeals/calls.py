"""Calling the requester through a privacy number (隐私号, an AXB binding): the handler never sees the resident's
phone, yet reaches him from the appeal's page.

A telephony bridge, chosen by settings.SHEQU_CALL_BRIDGE, binds the handler's phone and the requester's phone to a
virtual number for a while; the handler dials the virtual number and the carrier connects the two. As with text
messages (shequ.accounts.channels), the embedded default is a demo bridge (演示通道): it calls nobody, records the call
in the outbox table (phone encrypted, shown masked) and hands back a made-up virtual number. Production names a
provider's adapter, a subclass of `ProviderBridge`; config/settings/prod.py and `call_bridge()` refuse any demo bridge.

The call is part of the contact step (workflow "contact", 联系诉求人): offered to, and allowed for, exactly the people
the workflow lets record that step, the lead unit's handlers while the appeal is signed for or in progress. The
call goes on the appeal's timeline for staff (never the requester's) and in the audit trail, without the phone;
recording the contact itself stays the workflow's "contact" action, taken after the call.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from shequ.accounts.models import OutboxMessage, User
from shequ.audit.services import audit_batch, audit_record
from shequ.core.db import insert_rows
from shequ.core.errors import ShequError
from shequ.core.masking import mask_phone

from . import services
from .models import Appeal
from .workflow import allowed

log = logging.getLogger("shequ.calls")
BINDING_MINUTES = 30  # how long the virtual number connects the two phones


@dataclass(frozen=True)
class BridgedCall:
    call_id: str  # the provider's reference of the binding
    virtual_number: str  # the number the handler dials; it connects to the requester
    expires_at: datetime
    demo: bool


class CallBridge(Protocol):
    name: str
    demo: bool  # a demo bridge calls nobody; never in production

    def bridge(self, *, caller: str, callee: str, reference: str) -> BridgedCall: ...


class DemoBridge:
    """The demo bridge (演示通道): records the call as an outbox row and returns a virtual number that reaches
    nobody. Transactional like the SMS outbox: its row commits with the call's timeline entry, or not at all."""

    name = "demo"
    demo = True

    def bridge(self, *, caller: str, callee: str, reference: str) -> BridgedCall:
        call_id = uuid.uuid4().hex
        # A Shenzhen fixed-line-looking number (0755-8xxx-xxxx): a virtual number that is no one's mobile.
        digits = int(hashlib.sha256(call_id.encode()).hexdigest(), 16) % 10_000_000
        virtual = f"0755-8{digits // 10_000:03d}-{digits % 10_000:04d}"
        insert_rows(
            [
                OutboxMessage(
                    channel="call",
                    recipient=callee,
                    recipient_masked=mask_phone(callee),
                    body=f"演示外呼（未真实拨打）：诉求 {reference} 经虚拟号码 {virtual} 接通诉求人",
                    purpose="appeal_call",
                )
            ]
        )
        to = mask_phone(callee)
        transaction.on_commit(lambda: log.info("demo call bridge: %s via %s for %s", to, virtual, reference))
        return BridgedCall(call_id, virtual, timezone.now() + timedelta(minutes=BINDING_MINUTES), demo=True)


class ProviderBridge:
    """Base of a real privacy-number provider's adapter: subclass it, implement `bind`, and name the subclass in
    SHEQU_CALL_BRIDGE. Log nothing of the phones: they are protected personal data."""

    name = "provider"
    demo = False

    def bridge(self, *, caller: str, callee: str, reference: str) -> BridgedCall:
        call_id, virtual = self.bind(a=caller, b=callee, minutes=BINDING_MINUTES, reference=reference)
        return BridgedCall(call_id, virtual, timezone.now() + timedelta(minutes=BINDING_MINUTES), demo=False)

    def bind(self, *, a: str, b: str, minutes: int, reference: str) -> tuple[str, str]:
        """Bind phones a and b to a virtual number for `minutes`; return (the provider's id, the number)."""
        raise NotImplementedError


def call_bridge() -> CallBridge:
    cls = import_string(settings.SHEQU_CALL_BRIDGE)
    if getattr(cls, "demo", False) and not settings.SHEQU_CALL_DEMO_ALLOWED:
        raise ImproperlyConfigured(
            f"SHEQU_CALL_BRIDGE {settings.SHEQU_CALL_BRIDGE} is a demo bridge, refused here: name a privacy-number "
            "provider's adapter (a subclass of shequ.appeals.calls.ProviderBridge)"
        )
    return cls()


def appeal_may_call(user: User | None, appeal: Appeal, relations: set[str] | None = None) -> bool:
    """Whoever may record the contact step may call: the workflow's row "contact" decides (STYLE.md §11)."""
    relations = services.actor_relations(user, appeal) if relations is None else relations
    return bool(appeal.contact_phone) and allowed("contact", appeal.status, relations)


def appeal_call_requester(*, actor: User, appeal: Appeal) -> BridgedCall:
    """Bridge a call from the handler to the requester through the privacy-number bridge; the call goes on the
    staff timeline and in the audit trail (bridge, reference and virtual number; never the phone)."""
    appeal.refresh_from_db()
    if not appeal_may_call(actor, appeal):
        audit_record(
            action="appeal.call_refused",
            actor=actor,
            actor_role=services._roles(actor),
            obj=appeal,
            changes={"status": {"after": appeal.status}},
        )
        if not appeal.contact_phone:
            raise ShequError(gettext("The requester left no phone number."), code="invalid_state", status=409)
        raise PermissionDenied("Only the lead unit's handler calls the requester, while handling the appeal.")
    bridge = call_bridge()
    with transaction.atomic(), audit_batch():
        appeal = services._lock(appeal)
        call = bridge.bridge(caller=actor.phone or "", callee=appeal.contact_phone, reference=appeal.number)
        data = {"bridge": bridge.name, "call_id": call.call_id, "virtual_number": call.virtual_number}
        services._event(
            appeal,
            "call",
            actor,
            from_status=appeal.status,
            note=gettext("Called the requester through the virtual number %(number)s.")
            % {"number": call.virtual_number},
            data=data,
            public=False,
            unit=services._acting_unit(actor, appeal),
        )
        audit_record(
            action="appeal.call",
            actor=actor,
            actor_role=services._roles(actor),
            obj=appeal,
            purpose="联系诉求人",
            changes={"call": {"after": data}},
        )
    return call
