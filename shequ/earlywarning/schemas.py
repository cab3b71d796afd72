"""Schemas of /api/v1/warnings (input and output)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from shequ.core.masking import redact

from .choices import WarningKind, WarningStatus
from .models import EarlyWarning


class WarningOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    category: str | None
    category_name: str | None
    area: str
    area_name: str
    area_level: str
    day: date
    window_start: date
    observed: int
    expected: float | None
    p_value: float | None
    score: float
    subject: str
    evidence: dict
    synthetic: bool
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    task_appeal_id: int | None
    task_appeal_number: str | None


def warning_out(w: EarlyWarning) -> dict:
    return {
        "id": w.pk,
        "kind": w.kind,
        "kind_label": str(WarningKind(w.kind).label),
        "status": w.status,
        "status_label": str(WarningStatus(w.status).label),
        "category": w.category.code if w.category else None,
        "category_name": w.category.name if w.category else None,
        "area": w.area.code,
        "area_name": w.area.name,
        "area_level": w.area.level,
        "day": w.day,
        "window_start": w.window_start,
        "observed": w.observed,
        "expected": w.expected,
        "p_value": w.p_value,
        "score": w.score,
        # A repeat warning's subject is an address as a resident typed it; the decision note is typed by staff.
        "subject": redact(w.subject),
        "evidence": w.evidence,
        "synthetic": w.synthetic,
        "created_at": w.created_at,
        "decided_by": w.decided_by.get_username() if w.decided_by else None,
        "decided_at": w.decided_at,
        "decision_note": redact(w.decision_note),
        "task_appeal_id": w.task_appeal_id,
        "task_appeal_number": w.task_appeal.number if w.task_appeal else None,
    }


class DecisionIn(Schema):
    note: str = ""
    reason: str = ""
    text: str = ""  # the proactive appeal's text (task); a text is written from the warning when empty
    attributes: dict | None = None  # the category's required attributes, if it has any (task)


class TopRow(Schema):
    rank: int
    category: str
    category_name: str
    area: str
    area_name: str
    received: int
    previous: int
    growth: float | None
    warnings: int
    score: float


class TopOut(Schema):
    month: str
    level: str
    rows: list[TopRow]
