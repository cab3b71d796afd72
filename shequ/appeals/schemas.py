from datetime import datetime

from ninja import Schema

from shequ.core.api.types import Id
from shequ.core.masking import mask_name, mask_phone, redact

from .models import Appeal, Event
from .timeline import audience_of
from .workflow import available_actions


class AppealIn(Schema):
    text: str
    category: str | None = None
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    area: str | None = None
    contact_phone: str = ""
    contact_name: str = ""
    channel: str = "api"
    urgency: str | None = None
    anonymous: bool = False
    attributes: dict | None = None


class AppealCreated(Schema):
    id: int
    number: str
    status: str
    urgency: str
    urgency_reason: str
    area: str
    lead_unit: str | None
    reply_due: datetime | None


class AppealOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    text: str
    category: str | None
    category_name: str | None
    channel: str
    urgency: str
    urgency_reason: str
    area: str
    area_name: str
    location_precision: str
    lat: float | None
    lng: float | None
    address: str
    contact_name: str
    contact_phone: str
    anonymous: bool
    lead_unit: str | None
    lead_unit_name: str | None
    supervised: bool
    rating: int | None
    resolved: bool | None
    reply_text: str
    created_at: datetime
    dispatched_at: datetime | None
    contact_due: datetime | None
    reply_due: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    deadline_state: str
    reopen_count: int
    return_count: int


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    note: str
    audience: str  # timeline.Audience: "staff" or "requester"
    unit: str | None
    at: datetime
    data: dict


class AppealDetail(AppealOut):
    events: list[EventOut]
    actions: list[str]


def deadline_state(a: Appeal, now: datetime) -> str:
    if a.status not in ("dispatched", "signed_for", "in_progress") or a.reply_due is None:
        return "none"
    if a.overdue_at is not None or a.reply_due <= now:
        return "red"
    if a.warned_at is not None:
        return "yellow"
    return "green"


def dispatch_due(a: Appeal) -> datetime | None:
    """The dispatch deadline an appeal still waits against (an emergency: 20 minutes from intake), or None."""
    return a.dispatch_due if a.status == "submitted" else None


def appeal_out(a: Appeal, *, now: datetime) -> dict:
    waiting_until = dispatch_due(a)
    return {
        "id": a.pk,
        "number": a.number,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        # Whatever a person typed leaves masked (redact: phones, ID numbers, cards, e-mails), for every role and the
        # resident himself; the original is shown only by the audited reveal (services.appeal_reveal).
        "text": redact(a.text),
        "category": a.category.code if a.category else None,
        "category_name": a.category.name if a.category else None,
        "channel": a.channel,
        "urgency": a.urgency,
        "urgency_reason": a.urgency_reason,
        "area": a.area.code,
        "area_name": a.area.name,
        "location_precision": a.location_precision,
        "lat": a.lat,
        "lng": a.lng,
        "address": redact(a.address),
        "contact_name": mask_name(a.contact_name),
        "contact_phone": mask_phone(a.contact_phone),
        "anonymous": a.anonymous,
        "lead_unit": a.lead_unit.code if a.lead_unit else None,
        "lead_unit_name": a.lead_unit.name if a.lead_unit else None,
        "supervised": a.supervised,
        "rating": a.rating,
        "resolved": a.resolved,
        "reply_text": redact(a.reply_text),
        "created_at": a.created_at,
        "dispatched_at": a.dispatched_at,
        "dispatch_due": waiting_until,
        # Late as the deadline scan counts it (appeals.services: dispatch_due <= now).
        "dispatch_late": waiting_until is not None and waiting_until <= now,
        "contact_due": a.contact_due,
        "reply_due": a.reply_due,
        "replied_at": a.replied_at,
        "closed_at": a.closed_at,
        "deadline_state": deadline_state(a, now),
        "reopen_count": a.reopen_count,
        "return_count": a.return_count,
    }


def event_out(e: Event, *, staff: bool = True) -> dict:
    """One timeline entry. Staff read the note; the requester reads only the text addressed to him
    (timeline.Audience), never the note."""
    return {
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "note": redact(e.note if staff else e.resident_text),
        "audience": audience_of(e),
        "unit": e.actor_unit.name if e.actor_unit else None,
        "at": e.at,
        "data": e.data,
    }


def appeal_detail_out(
    a: Appeal, *, now: datetime, relations: set[str], staff: bool, with_events: bool = True
) -> dict:
    """`with_events=False`: a page that builds its own timeline (the console's: appeals.timeline.staff_timeline)
    does not read the events twice; "events" is then empty."""
    events = a.events.select_related("actor_unit").all() if with_events else a.events.none()
    if not staff:
        events = events.filter(public=True)
    return {
        **appeal_out(a, now=now),
        "events": [event_out(e, staff=staff) for e in events],
        "actions": available_actions(a.status, relations, a),
    }


class AppealRevealIn(Schema):
    fields: list[str] = ["text", "address", "contact_name", "contact_phone"]
    purpose: str


class AppealRevealOut(Schema):
    id: int
    values: dict[str, str]
    audited: bool


class ActionIn(Schema):
    note: str = ""
    text: str = ""
    reason: str = ""
    comment: str = ""
    unit: str | None = None
    co_units: list[str] = []
    days: int | None = None
    approve: bool | None = None
    uphold: bool | None = None
    rating: int | None = None
    resolved: bool | None = None
    into: Id | None = None
    level: str = "normal"
    category: str | None = None
    kind: str = (
        ""  # raise_emergency: the kind of emergency (appeals.urgency.KIND_LABELS), else guessed from the text
    )
