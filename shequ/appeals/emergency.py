"""Emergencies (issue 23): the dispatcher's corrections of urgency, the emergency queue, and whom a resident calls.

Intake decides the urgency (appeals.urgency: an answer, a phrase or the learned layer). A dispatcher corrects it in
one click: `appeal_raise_emergency` starts the 20-minute dispatch clock at the raising (if the appeal still waits
for dispatch); `appeal_lower_emergency` needs a reason and stops the clock. A running answer deadline is left alone
(it moves only with an approved extension). Both are transitions of workflow.TRANSITIONS (who may take them, and on which appeals: a closed
one is refused), written as timeline events with an audit entry in the same transaction; dispatch learns from
them as it learns from dispatch decisions (dispatch.signals → dispatch.services.capture_urgency_event).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from shequ.accounts.models import User
from shequ.audit.services import audit_batch
from shequ.core.errors import ShequError

from . import selectors, services
from .choices import EMERGENCY_DISPATCH_MINUTES, OPEN_STATUSES, Urgency
from .choices import Status as S
from .models import Appeal, Event
from .urgency import KIND_CALL, KIND_LABELS, assess

MIN_REASON = 4
# Who to call, by the number the kind names (KIND_CALL): said on the resident's page of an emergency.
CALLS = {
    "110": "报警电话 110",
    "119": "消防救援 119",
    "120": "急救电话 120",
}
NEW_MINUTES = 5  # the queue marks what became an emergency in the last five minutes


# --- corrections ------------------------------------------------------------------------------------------------
def appeal_raise_emergency(*, actor: User, appeal: Appeal, reason: str = "", kind: str = "") -> Appeal:
    """Treat an appeal as an emergency from now: the 20-minute dispatch clock starts at this moment."""
    if kind and kind not in KIND_LABELS:
        raise ShequError(
            gettext("Unknown kind of emergency."), fields={"kind": ", ".join(KIND_LABELS)}, code="invalid"
        )
    services._check(actor, appeal, "raise_emergency")
    with transaction.atomic(), audit_batch():
        appeal = services._lock(appeal)
        services._check(actor, appeal, "raise_emergency")
        now = timezone.now()
        before = appeal.urgency
        appeal.urgency = Urgency.EMERGENCY
        appeal.urgency_kind = kind or assess(appeal.text).kind or appeal.urgency_kind
        appeal.urgency_reason = (f"调度员升为紧急：{reason.strip()}" if reason.strip() else "调度员升为紧急")[
            :200
        ]
        fields = ["urgency", "urgency_kind", "urgency_reason"]
        if appeal.status == S.SUBMITTED:
            appeal.dispatch_due = now + timedelta(minutes=EMERGENCY_DISPATCH_MINUTES)
            fields.append("dispatch_due")
        # The answer deadline is set at dispatch from the urgency then (an emergency waiting for dispatch gets the
        # emergency one); one already running is left as it is: it moves only with an approved extension.
        return services._finish(
            appeal,
            "raise_emergency",
            actor,
            from_status=appeal.status,
            note=reason,
            data={"urgency": {"before": before, "after": Urgency.EMERGENCY}, "kind": appeal.urgency_kind},
            public=False,
            fields=fields,
            now=now,
        )


def appeal_lower_emergency(*, actor: User, appeal: Appeal, reason: str) -> Appeal:
    """Not an emergency after all (a false alarm): back to the category's urgency; a reason is required."""
    if len((reason or "").strip()) < MIN_REASON:
        raise ShequError(
            gettext("Say why this is not an emergency (at least 4 characters)."),
            fields={"reason": "required"},
        )
    services._check(actor, appeal, "lower_emergency")
    with transaction.atomic(), audit_batch():
        appeal = services._lock(appeal)
        services._check(actor, appeal, "lower_emergency")
        now = timezone.now()
        default = appeal.category.default_urgency if appeal.category else Urgency.NORMAL
        appeal.urgency = default if default != Urgency.EMERGENCY else Urgency.NORMAL
        data = {
            "urgency": {"before": Urgency.EMERGENCY, "after": appeal.urgency},
            "kind": appeal.urgency_kind,
            "was": appeal.urgency_reason,
        }
        appeal.urgency_kind, appeal.urgency_reason = "", ""
        appeal.dispatch_due = None
        fields = ["urgency", "urgency_kind", "urgency_reason", "dispatch_due"]
        return services._finish(
            appeal,
            "lower_emergency",
            actor,
            from_status=appeal.status,
            note=reason,
            data=data,
            public=False,
            fields=fields,
            now=now,
        )


# --- the queue --------------------------------------------------------------------------------------------------
def emergency_queue_for(*, user) -> QuerySet[Appeal]:
    """Open emergencies the user may see: those waiting for dispatch first, by their 20-minute deadline."""
    return (
        selectors.visible_appeals(user)
        .filter(urgency=Urgency.EMERGENCY, status__in=OPEN_STATUSES)
        .select_related("area", "category", "lead_unit")
        .order_by(F("dispatch_due").asc(nulls_last=True), "-created_at", "-id")
    )


def emergency_since(appeal: Appeal) -> datetime:
    """When the appeal became an emergency: its latest raising, else its intake."""
    raised = (
        Event.objects.filter(appeal=appeal, action="raise_emergency")
        .order_by("-at")
        .values_list("at", flat=True)
    )
    return raised.first() or appeal.created_at


def queue_rows(appeals: list[Appeal], *, now: datetime) -> list[dict]:
    raised = dict(
        Event.objects.filter(appeal__in=appeals, action="raise_emergency")
        .order_by("appeal_id", "at")
        .values_list("appeal_id", "at")
    )  # the latest raising per appeal wins (ordered by time)
    rows = []
    for a in appeals:
        since = raised.get(a.pk, a.created_at)
        waiting = a.status == S.SUBMITTED and a.dispatch_due is not None
        left = int((a.dispatch_due - now).total_seconds()) if waiting and a.dispatch_due else None
        rows.append(
            {
                "a": a,
                "since": since,
                "new": waiting and now - since <= timedelta(minutes=NEW_MINUTES),
                "kind": KIND_LABELS.get(a.urgency_kind, ""),
                "waiting": waiting,
                "seconds_left": left,
                "late": left is not None and left < 0,
                "left_text": _clock(left) if left is not None else "",
            }
        )
    return rows


def _clock(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"


# --- the resident ---------------------------------------------------------------------------------------------
def call_for(appeal: Appeal) -> dict[str, str] | None:
    """The number a resident should call now for this emergency (None: not an emergency, or no number fits)."""
    if appeal.urgency != Urgency.EMERGENCY:
        return None
    number = KIND_CALL.get(appeal.urgency_kind or "")
    if number is None:
        return None
    return {"number": number, "label": CALLS[number], "kind": KIND_LABELS.get(appeal.urgency_kind, "")}
