"""The responsibility list (职责清单): import from .xlsx (all rows or none) and export for editing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from shequ.access.scoping import can, scope_for
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Action
from shequ.audit.services import audit_record
from shequ.core.errors import ShequError
from shequ.core.sheets import read_rows
from shequ.geo.models import Area

from .models import Category, ResponsibilityRule

COLUMNS: dict[str, tuple[str, ...]] = {
    "category": ("类别代码", "category"),
    "area": ("区域代码", "area"),
    "lead_unit": ("主办单位代码", "lead_unit"),
    "co_units": ("协办单位代码", "co_units"),
    "effective_from": ("生效日期", "effective_from"),
    "effective_to": ("失效日期", "effective_to"),
    "version": ("版本", "version"),
    "note": ("备注", "note"),
}
REQUIRED = ("category", "area", "lead_unit", "effective_from")


@dataclass
class RuleError:
    row: int
    column: str
    message: str


@dataclass
class RulesReport:
    ok: bool = True
    created: int = 0
    errors: list[RuleError] = field(default_factory=list)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or str(value).strip() == "":
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(gettext("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}) from None


def rules_list_for(*, user: User) -> QuerySet[ResponsibilityRule]:
    """The rules that apply inside the user's areas: those of an area under his grants, and those of the areas
    above them (a city-wide rule applies in every district). Another district's own rules are not his to read."""
    paths: set[str] = set()
    for action in (Action.APPEALS_RULES, Action.APPEALS_DISPATCH):
        paths |= scope_for(user, action).paths
    if not paths:
        raise PermissionDenied(gettext("Your role may not read the responsibility list."))
    # The paths of the areas above each area of the scope: "/440300/" above "/440300/440305/".
    above: set[str] = set()
    for path in paths:
        codes = [c for c in path.split("/") if c]
        above |= {"/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes))}
    condition = Q(area__path__in=above)
    for path in paths:
        condition |= Q(area__path__prefix=path)
    return ResponsibilityRule.objects.filter(condition)


def rules_import(*, actor: User | None, fileobj: IO[bytes], dry_run: bool = False) -> RulesReport:
    """Check every row, then write all rules in one transaction, or nothing if any row is wrong.

    `actor=None` is an operator's command (audited on the command channel).
    """
    if actor is not None and not can(actor, Action.APPEALS_RULES):
        audit_record(action="rules.refused", actor=actor, object_repr="responsibility list import")
        raise PermissionDenied(gettext("Your role may not change the responsibility list."))
    categories = {c.code: c for c in Category.objects.all()}
    # A dispatcher writes rules for the areas of his grants only; an area outside them is reported exactly like an
    # unknown one (DESIGN.md §4). The operator's command (actor=None) may write anywhere.
    areas = Area.objects.all()
    if actor is not None:
        under = Q(pk__in=[])
        for path in scope_for(actor, Action.APPEALS_RULES).paths:
            under |= Q(path__prefix=path)
        areas = areas.filter(under)
    report = RulesReport()
    parsed: list[tuple[Category, Area, Unit, list[Unit], date, date | None, str, str]] = []
    rows = 0
    for number, row in read_rows(fileobj, columns=COLUMNS, required=REQUIRED):
        rows += 1
        errors_before = len(report.errors)

        def err(column: str, message: str, number: int = number) -> None:
            report.errors.append(RuleError(number, COLUMNS[column][0], message))

        code = str(row.get("category") or "").strip()
        category = categories.get(code)
        if category is None:
            err("category", gettext("No category has the code %(code)s.") % {"code": code})
        area = areas.filter(code=str(row.get("area") or "").strip()).first()
        if area is None:
            err(
                "area",
                gettext("No area in your areas has the code %(code)s.") % {"code": row.get("area") or ""},
            )
        lead = Unit.objects.filter(code=str(row.get("lead_unit") or "").strip(), is_active=True).first()
        if lead is None:
            err(
                "lead_unit",
                gettext("No active unit has the code %(code)s.") % {"code": row.get("lead_unit") or ""},
            )
        co_codes = [
            c.strip() for c in str(row.get("co_units") or "").replace("，", ",").split(",") if c.strip()
        ]
        co = list(Unit.objects.filter(code__in=co_codes, is_active=True))
        if len(co) != len(set(co_codes)):
            err(
                "co_units",
                gettext("No active unit has the codes %(codes)s.")
                % {"codes": "、".join(sorted(set(co_codes) - {u.code for u in co}))},
            )
        try:
            start, end = _date(row.get("effective_from")), _date(row.get("effective_to"))
            if start is None:
                err("effective_from", gettext("The start date is required."))
            elif end is not None and end < start:
                err("effective_to", gettext("The end date is before the start date."))
        except ValueError as exc:
            err("effective_from", str(exc))
            start = end = None
        if len(report.errors) == errors_before and category and area and lead and start:
            version, note = str(row.get("version") or "")[:40], str(row.get("note") or "")[:200]
            parsed.append((category, area, lead, co, start, end, version, note))
    if not rows:
        raise ShequError(gettext("The sheet has no rules below the header row."), code="invalid_file")
    if report.errors:
        report.ok = False
        return report
    if dry_run:
        report.created = len(parsed)
        return report
    with transaction.atomic():
        for category, area, lead, co, start, end, version, note in parsed:
            rule = ResponsibilityRule.objects.create(
                category=category,
                area=area,
                lead_unit=lead,
                effective_from=start,
                effective_to=end,
                version=version,
                note=note,
            )
            rule.co_units.set(co)
        report.created = len(parsed)
        audit_record(
            action="rules.import",
            actor=actor,
            object_repr="responsibility list",
            changes={"rules": {"after": report.created}},
        )
    return report


def rules_editable_for(*, user: User) -> QuerySet[ResponsibilityRule]:
    """The rules a dispatcher may change: those of the areas under his `appeals.rules` grants (the rules of the
    areas above, which he reads, are not his to change)."""
    condition = Q(pk__in=[])
    for path in scope_for(user, Action.APPEALS_RULES).paths:
        condition |= Q(area__path__prefix=path)
    return ResponsibilityRule.objects.filter(condition)


def rule_end(*, actor: User, rule: ResponsibilityRule, on: date, reason: str) -> ResponsibilityRule:
    """End a rule on a date (its last day): the list keeps it as history; a new version is imported beside it."""
    if not reason.strip():
        raise ShequError(gettext("Say why."), fields={"reason": gettext("This field is required.")})
    if on < rule.effective_from:
        raise ShequError(
            gettext("The end date is before the start date."), fields={"effective_to": on.isoformat()}
        )
    with transaction.atomic():
        rule = ResponsibilityRule.objects.select_for_update().get(pk=rule.pk)
        before = rule.effective_to
        rule.effective_to = on
        rule.save(update_fields=["effective_to"])
        audit_record(
            action="rules.end",
            actor=actor,
            obj=rule,
            object_repr=str(rule),
            purpose=reason.strip()[:200],
            changes={
                "effective_to": {"before": before.isoformat() if before else None, "after": on.isoformat()}
            },
        )
    return rule
