"""What partners do through Open311, each written once (STYLE.md §1): submit a request, post an update.

Both record which key acted (`open311:<prefix>` in the audit trail): the appeal itself has no user behind it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from shequ.appeals.models import Appeal, Event
from shequ.appeals.services import MAX_TEXT, IntakeData, appeal_note_from_outside, appeal_submit
from shequ.audit.services import audit_record
from shequ.core.errors import NotFound, ShequError

from .choices import PARTNER_STATUSES, PARTNER_UPDATE_ACTION
from .models import ApiKey, PartnerRequest


def partner_username(key: ApiKey) -> str:
    return f"open311:{key.prefix}"


def appeal_submit_from_partner(*, key: ApiKey, data: IntakeData) -> Appeal:
    """A service request from a partner system: the appeals intake on the open311 channel, plus who sent it."""
    with transaction.atomic():
        appeal = appeal_submit(actor=None, data=data)
        PartnerRequest.objects.create(appeal=appeal, key=key)
        audit_record(
            action="appeal.partner_submit",
            actor_username=partner_username(key),
            obj=appeal,
            changes={"partner": {"after": key.name}, "channel": {"after": data.channel}},
        )
    return appeal


def appeal_partner_update(
    *,
    key: ApiKey,
    appeal: Appeal,
    status: str,
    description: str,
    update_id: str = "",
    updated_datetime: str = "",
    media_url: str = "",
    external_status_code: str = "",
) -> tuple[Event, bool]:
    """A partner's comment on a request, recorded as a public event; answers (event, created).

    The partner's `status` is kept on the event, never applied: only the workflow (appeals.workflow) moves an
    appeal, and a partner is not one of its actors. The same `update_id` from the same key is recorded once
    (a retry gets the first event back). A key may comment only on the requests it filed (PartnerRequest): any
    other request is answered as not found, exactly as a missing one.
    """
    if not PartnerRequest.objects.filter(appeal=appeal, key=key).exists():
        raise NotFound(f"service_request_id {appeal.number!r} not found")
    status = (status or "").strip().lower()
    description = (description or "").strip()
    problems: dict[str, str] = {}
    if status not in PARTNER_STATUSES:
        problems["status"] = f"status {status!r} is not one of {', '.join(sorted(PARTNER_STATUSES))}"
    if not description:
        problems["description"] = "description is required"
    elif len(description) > MAX_TEXT:
        problems["description"] = f"description is longer than {MAX_TEXT} characters"
    if problems:
        raise ShequError(gettext("Some fields are not valid."), code="invalid", fields=problems)
    update_id = (update_id or "").strip()[:100]
    data: dict[str, Any] = {"partner": key.prefix, "status": status}
    for name, text in (
        ("update_id", update_id),
        ("updated_datetime", updated_datetime),
        ("media_url", media_url),
        ("external_status_code", external_status_code),
    ):
        if text:
            data[name] = text.strip()[:500]
    return appeal_note_from_outside(
        appeal=appeal,
        action=PARTNER_UPDATE_ACTION,
        source=partner_username(key),
        note=description,
        data=data,
        once_per={"partner": key.prefix, "update_id": update_id} if update_id else None,
    )
