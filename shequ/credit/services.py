"""Credit: subjects and the estates they serve, inspections, and the yearly lists computed by formula.py.

Every write is one transaction with its audit entry. The inputs are read through the other modules' selectors:
evaluations from shequ/surveys, appeals from shequ/appeals.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import can_at, scope_for
from shequ.accounts.roles import Action
from shequ.appeals.selectors import appeal_outcomes_under
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.workdays import CALENDAR_TZ
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area
from shequ.surveys.choices import Measure
from shequ.surveys.selectors import evaluation_score

from . import formula
from .choices import SubjectKind
from .models import EstateService, Inspection, ListEntry, Subject


def _require(actor, area: Area) -> None:
    if actor is None or not can_at(actor, Action.CREDIT_MANAGE, area.path):
        raise ShequError(gettext("Not found."), code="not_found", status=404)


def subject_create(
    *,
    actor,
    kind: str,
    name: str,
    area: Area,
    company: Subject | None = None,
    credit_code: str = "",
    synthetic: bool = False,
) -> Subject:
    _require(actor, area)
    name = (name or "").strip()
    if kind not in SubjectKind.values:
        raise ShequError(gettext("Choose the kind of subject."), fields={"kind": "unknown"})
    if not name or len(name) > 100:
        raise ShequError(gettext("Enter the name (at most 100 characters)."), fields={"name": "required"})
    if (kind == SubjectKind.PROJECT_MANAGER) != (company is not None):
        raise ShequError(
            gettext("A project manager belongs to a property company; a company to none."),
            fields={"company": "required" if kind == SubjectKind.PROJECT_MANAGER else "not allowed"},
        )
    if company is not None and company.kind != SubjectKind.PROPERTY_COMPANY:
        raise ShequError(
            gettext("A project manager belongs to a property company."), fields={"company": "kind"}
        )
    with transaction.atomic():
        subject = Subject.objects.create(
            kind=kind, name=name, area=area, company=company, credit_code=credit_code, synthetic=synthetic
        )
        audit_record(
            action="credit.subject_create",
            actor=actor,
            obj=subject,
            object_repr=name,
            changes={"kind": kind, "area": area.code},
        )
    return subject


def subject_update(
    *, actor, subject: Subject, name: str, area: Area, credit_code: str = "", company: Subject | None = None
) -> Subject:
    """A subject's name, credit code, supervising area and (a project manager's) company; its kind stays (a
    company is not a manager). Both the old and the new area must be the actor's; the audit keeps what changed."""
    _require(actor, subject.area)
    _require(actor, area)
    name = (name or "").strip()
    credit_code = (credit_code or "").strip().upper()
    if not name or len(name) > 100:
        raise ShequError(gettext("Enter the name (at most 100 characters)."), fields={"name": "required"})
    if credit_code and len(credit_code) != 18:
        raise ShequError(
            gettext("A unified social credit code has 18 characters."), fields={"credit_code": "length"}
        )
    is_manager = subject.kind == SubjectKind.PROJECT_MANAGER
    if is_manager != (company is not None) or (
        company is not None and company.kind != SubjectKind.PROPERTY_COMPANY
    ):
        raise ShequError(
            gettext("A project manager belongs to a property company; a company to none."),
            fields={"company": "required" if is_manager else "not allowed"},
        )
    with transaction.atomic():
        locked = Subject.objects.select_for_update().get(pk=subject.pk)
        after = {
            "name": name,
            "credit_code": credit_code,
            "area_id": area.pk,
            "company_id": company and company.pk,
        }
        changes = {
            k: {"before": getattr(locked, k), "after": v} for k, v in after.items() if getattr(locked, k) != v
        }
        if changes:
            Subject.objects.filter(pk=locked.pk).update(**after)
            audit_record(
                action="credit.subject_update", actor=actor, obj=locked, object_repr=name, changes=changes
            )
    subject.refresh_from_db()
    return subject


def estate_service_add(
    *, actor, subject: Subject, estate: Area, since: date, until: date | None = None
) -> EstateService:
    _require(actor, estate)
    if subject.kind == SubjectKind.DOMESTIC_COMPANY or estate.level != AreaLevel.ESTATE:
        raise ShequError(gettext("Only a property company or its manager serves an estate."))
    if until is not None and until < since:
        raise ShequError(gettext("The service must end after it starts."), fields={"until": "order"})
    with transaction.atomic():
        link = EstateService.objects.create(subject=subject, estate=estate, since=since, until=until)
        audit_record(
            action="credit.estate_service_add",
            actor=actor,
            obj=link,
            object_repr=f"{subject.name} @ {estate.name}",
            changes={"since": since.isoformat(), "until": until.isoformat() if until else None},
        )
    return link


def inspection_record(
    *,
    actor,
    subject: Subject,
    inspected_on: date,
    score: int,
    serious: bool = False,
    finding: str = "",
    estate: Area | None = None,
    synthetic: bool = False,
) -> Inspection:
    _require(actor, subject.area)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
        raise ShequError(gettext("An inspection scores from 0 to 100."), fields={"score": "range"})
    finding = (finding or "").strip()
    if serious and not finding:
        raise ShequError(gettext("Describe the serious finding."), fields={"finding": "required"})
    if len(finding) > 300:
        raise ShequError(gettext("The finding is at most 300 characters."), fields={"finding": "too long"})
    if inspected_on > timezone.localdate():
        raise ShequError(gettext("An inspection cannot be in the future."), fields={"inspected_on": "future"})
    with transaction.atomic():
        inspection = Inspection.objects.create(
            subject=subject,
            estate=estate,
            inspected_on=inspected_on,
            score=score,
            serious=serious,
            finding=finding,
            recorded_by=actor,
            synthetic=synthetic,
        )
        audit_record(
            action="credit.inspection_record",
            actor=actor,
            obj=inspection,
            object_repr=subject.name,
            changes={"score": score, "serious": serious, "on": inspected_on.isoformat()},
        )
    return inspection


# --- the yearly lists ------------------------------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=CALENDAR_TZ),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=CALENDAR_TZ),
    )


def _estates_of(subject: Subject, year: int) -> list[Area]:
    served = EstateService.objects.filter(subject=subject, since__lte=date(year, 12, 31)).filter(
        Q(until__isnull=True) | Q(until__gte=date(year, 1, 1))
    )
    return list(Area.objects.filter(pk__in=served.values("estate_id")).order_by("path"))


def evidence_for(subject: Subject, year: int) -> tuple[formula.Inputs, dict[str, Any]]:
    """The formula's inputs for one subject and year, and the evidence each entry shows."""
    since, until = _year_bounds(year)
    estates = _estates_of(subject, year)
    evaluation: dict[str, Any] = {"estates": [], "surveys": []}
    appeals = {"received": 0, "closed": 0, "resolved": 0, "satisfied": 0, "dissatisfied": 0, "overdue": 0}
    numbers: list[str] = []
    score_sum, answers = 0.0, 0
    if subject.kind == SubjectKind.DOMESTIC_COMPANY:
        e = evaluation_score(subject=subject.survey_subject, year=year, measure=Measure.COMPANY)
        if e["answers"]:
            score_sum, answers = e["score"] * e["answers"], e["answers"]
        evaluation["surveys"] = e["surveys"]
    for estate in estates:
        e = evaluation_score(estate=estate, year=year, measure=Measure.COMPANY)
        committee = evaluation_score(estate=estate, year=year, measure=Measure.COMMITTEE)
        if e["answers"]:
            score_sum += e["score"] * e["answers"]
            answers += e["answers"]
        outcomes = appeal_outcomes_under(path=estate.path, since=since, until=until)
        for key in appeals:
            appeals[key] += outcomes[key]
        numbers += outcomes["numbers"]
        evaluation["surveys"] += e["surveys"]
        evaluation["estates"].append(
            {
                "code": estate.code,
                "name": estate.name,
                "company_score": e["score"],
                "answers": e["answers"],
                "committee_score": committee["score"],
                "committee_answers": committee["answers"],
                "appeals": outcomes["received"],
            }
        )
    inspections = list(
        Inspection.objects.filter(
            subject=subject, inspected_on__gte=date(year, 1, 1), inspected_on__lte=date(year, 12, 31)
        ).select_related("estate")
    )
    inputs = formula.Inputs(
        evaluation=round(score_sum / answers, 1) if answers else None,
        evaluation_answers=answers,
        appeals_received=appeals["received"],
        appeals_dissatisfied=appeals["dissatisfied"],
        appeals_overdue=appeals["overdue"],
        inspections=tuple(i.score for i in inspections),
        serious_findings=sum(1 for i in inspections if i.serious),
    )
    evidence = {
        "evaluation": {"score": inputs.evaluation, "answers": answers, **evaluation},
        "appeals": {**appeals, "numbers": numbers[:20]},
        "inspections": [
            {
                "on": i.inspected_on.isoformat(),
                "score": i.score,
                "serious": i.serious,
                "finding": i.finding,
                "estate": i.estate.name if i.estate else "",
            }
            for i in inspections
        ],
    }
    return inputs, evidence


def credit_lists_compute(*, actor, year: int, now: datetime | None = None) -> int:
    """Compute the year's entries of every subject in the actor's areas (again: an entry is replaced by the new
    computation); answers how many entries were written. The year must have ended, or be the current one."""
    scope = scope_for(actor, Action.CREDIT_MANAGE)
    if actor is None or scope.empty:
        raise ShequError(gettext("Not found."), code="not_found", status=404)
    now = now or timezone.now()
    if not 2000 <= year <= timezone.localdate(now).year:
        raise ShequError(gettext("Choose a year that has begun."), fields={"year": "range"})
    where = Q(pk__in=[])
    for p in scope.paths:
        where |= Q(area__path__prefix=p)
    written = 0
    with transaction.atomic():
        for subject in Subject.objects.filter(where).order_by("pk"):
            inputs, evidence = evidence_for(subject, year)
            result = formula.outcome(inputs)
            if result is None:
                ListEntry.objects.filter(year=year, subject=subject).delete()
                continue
            evidence["parts"] = result.parts
            evidence["weights"] = result.weights
            evidence["reasons"] = list(result.reasons)
            ListEntry.objects.update_or_create(
                year=year,
                subject=subject,
                defaults={
                    "standing": result.standing,
                    "score": Decimal(str(result.score)),
                    "level": result.level,
                    "evidence": evidence,
                    "formula": formula.FORMULA,
                    "computed_at": now,
                    "computed_by": actor,
                },
            )
            written += 1
        audit_record(
            action="credit.lists_compute",
            actor=actor,
            object_type="credit.list",
            object_id=str(year),
            object_repr=str(year),
            changes={"entries": written, "formula": formula.FORMULA},
        )
    return written
