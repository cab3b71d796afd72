"""Console pages of care: the grid worker's report, the discovery queue, cases with their workflow, the special
groups registry (names masked, every view audited), supervision, referrals, service orders and the minors'
protection report. Thin: parse → service/selector → template. Out of scope is 404."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.residents.models import Resident, Tag
from shequ.residents.selectors import resident_get_for, resident_list_for

from . import selectors, services, workflow
from .choices import (
    SPECIAL_GROUP_CODES,
    CaseStatus,
    DiscoveryKind,
    Need,
    NeedLevel,
    OrderKind,
    ReferralKind,
    Source,
)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _age(resident: Resident) -> int:
    today = timezone.localdate()
    b = resident.birth_date
    return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


@require_action(Action.CONSOLE)
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not any(
        can(user, a)
        for a in (
            Action.CARE_REPORT,
            Action.CARE_TRIAGE,
            Action.CARE_CASES,
            Action.CARE_SUPERVISE,
            Action.CARE_REFERRALS,
        )
    ):
        raise PermissionDenied
    ctx: dict[str, object] = {
        "may": {
            "report": can(user, Action.CARE_REPORT),
            "triage": can(user, Action.CARE_TRIAGE),
            "cases": can(user, Action.CARE_CASES),
            "groups": can(user, Action.CARE_GROUPS_VIEW),
            "orders": can(user, Action.CARE_GROUPS_EDIT),
            "supervise": can(user, Action.CARE_SUPERVISE),
            "referrals": can(user, Action.CARE_REFERRALS),
        }
    }
    may = cast(dict[str, bool], ctx["may"])
    if may["triage"]:
        ctx["open_discoveries"] = selectors.discovery_list_for(user=user).count()
    if may["cases"]:
        ctx["my_cases"] = selectors.case_list_for(user=user, open_only=True).filter(worker=user).count()
        ctx["missed"] = selectors.missed_visits_for(user=user).count()
    if may["referrals"]:
        ctx["referrals"] = selectors.open_referrals_count(user=user)
    return render(request, "care/home.html", ctx)


def _pick_resident(request: HttpRequest, action: str) -> tuple[list[dict], Resident | None]:
    """Search residents by name (GET q) for a form; the chosen one (POST resident) through the scoped selector."""
    user = _user(request)
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()
    found = []
    if q:
        found = [
            {"r": r, "age": _age(r)}
            for r in resident_list_for(user=user, q=q, action=Action.RESIDENTS_VIEW)[:20]
        ]
    chosen = None
    pk = _int(request.POST.get("resident"))
    if request.method == "POST" and pk:
        chosen = resident_get_for(user=user, pk=pk, action=action)
    return found, chosen


@require_action(Action.CARE_REPORT)
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The grid worker's report of a person in difficulty (网格发现)."""
    user = _user(request)
    found, chosen = _pick_resident(request, Action.CARE_REPORT)
    status = 200
    if request.method == "POST":
        try:
            if chosen is None:
                raise ShequError(_("Choose the person."), fields={"resident": "required"})
            services.grid_report(actor=user, resident=chosen, summary=request.POST.get("summary", ""))
        except ShequError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, _("Your report is in the discovery queue of the social-work station."))
            return redirect("care:home")
    return render(
        request,
        "care/report.html",
        {"found": found, "q": request.GET.get("q") or request.POST.get("q", ""), "form": request.POST},
        status=status,
    )


@require_action(Action.CARE_TRIAGE)
def discoveries(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    rows = list(selectors.discovery_list_for(user=_user(request), status=status)[:100])
    return render(
        request,
        "care/discoveries.html",
        {"rows": rows, "status": status, "kinds": DiscoveryKind},
    )


@require_action(Action.CARE_TRIAGE)
@require_POST
def discovery_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    entry = selectors.discovery_get_for(user=user, pk=pk)
    try:
        if request.POST.get("decision") == "case":
            case = services.case_open(actor=user, discovery=entry)
            messages.success(request, _("A case was opened."))
            if can(user, Action.CARE_CASES):
                return redirect("care:case", pk=case.pk)
        else:
            services.discovery_dismiss(actor=user, discovery=entry, reason=request.POST.get("reason", ""))
            messages.success(request, _("The entry was dismissed."))
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("care:discoveries")


@require_action(Action.CARE_CASES)
def cases(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    view = request.GET.get("view", "mine")
    if view == "missed":
        qs = selectors.missed_visits_for(user=user)
    elif view == "closed":
        qs = selectors.case_list_for(user=user, status=CaseStatus.CLOSED)
    elif view == "all":
        qs = selectors.case_list_for(user=user, open_only=True)
    else:
        qs = selectors.case_list_for(user=user, open_only=True).filter(worker=user)
    return render(
        request,
        "care/cases.html",
        {"rows": list(qs[:100]), "view": view, "now": timezone.now(), "today": timezone.localdate()},
    )


@require_action(Action.CARE_CASES)
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.case_get_for(user=user, pk=pk)
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            unit = None
            if p.get("unit"):
                unit = selectors.departments_for(obj.area).filter(pk=_int(p.get("unit"))).first()
            services.case_act(
                actor=user,
                case=obj,
                step=p.get("step", ""),
                note=p.get("note", ""),
                needs={n: p.get(f"need_{n}", "") for n in Need.values},
                plan=p.get("plan", ""),
                visit_every_days=_int(p.get("visit_every_days")) or None,
                unit=unit,
                referral_kind=p.get("referral_kind", ""),
            )
        except ShequError as e:
            messages.error(request, e.message)
            status = 409 if e.status == 409 else 400
        else:
            messages.success(request, _("Saved."))
            return redirect("care:case", pk=obj.pk)
    memberships = list(selectors.membership_list_for(user=user, resident=obj.resident_id))
    services.memberships_viewed(actor=user, memberships=memberships, purpose="case")
    steps = workflow.allowed(obj.status)
    return render(
        request,
        "care/case.html",
        {
            "case": obj,
            "age": _age(obj.resident),
            "events": list(obj.events.select_related("actor")),
            "referrals": list(obj.referrals.select_related("unit")),
            "memberships": memberships,
            "steps": [s for s in steps if can(user, s.action)],
            "needs": Need.choices,
            "levels": NeedLevel.choices,
            "departments": list(selectors.departments_for(obj.area)),
            "referral_kinds": [k for k in ReferralKind.choices if k[0] != ReferralKind.CHILD_PROTECTION],
            "form": request.POST,
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_action(Action.CARE_GROUPS_VIEW)
def groups(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tag = request.GET.get("tag", "")
    rows = list(selectors.membership_list_for(user=user, tag=tag)[:200])
    services.memberships_viewed(actor=user, memberships=rows, purpose="registry")
    return render(
        request,
        "care/groups.html",
        {
            "rows": rows,
            "tag": tag,
            "tags": Tag.objects.filter(code__in=SPECIAL_GROUP_CODES),
            "may_edit": can(user, Action.CARE_GROUPS_EDIT),
        },
    )


@require_action(Action.CARE_GROUPS_EDIT)
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    found, chosen = _pick_resident(request, Action.CARE_GROUPS_EDIT)
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            if chosen is None:
                raise ShequError(_("Choose the person."), fields={"resident": "required"})
            services.membership_record(
                actor=user,
                resident=chosen,
                tag=p.get("tag", ""),
                evidence=p.get("evidence", ""),
                source=p.get("source", ""),
                review_date=_date(p.get("review_date", "")),
                level=p.get("level", ""),
            )
        except ShequError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, _("Recorded."))
            return redirect("care:groups")
    return render(
        request,
        "care/group_new.html",
        {
            "found": found,
            "q": request.GET.get("q") or request.POST.get("q", ""),
            "form": request.POST,
            "tags": Tag.objects.filter(code__in=SPECIAL_GROUP_CODES),
            "sources": Source.choices,
        },
        status=status,
    )


@require_action(Action.CARE_SUPERVISE)
def supervision(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    stations = selectors.stations_for(user=user)
    covered = sum(1 for s in stations if s["station"])
    return render(
        request,
        "care/supervision.html",
        {
            "caseloads": selectors.caseloads_for(user=user),
            "stations": stations,
            "coverage": round(100 * covered / len(stations)) if stations else 0,
            "overdue": list(
                selectors.case_list_for(user=user, open_only=True, action=Action.CARE_SUPERVISE)
                .filter(due_at__lt=timezone.now())
                .order_by("due_at")[:50]
            ),
        },
    )


@require_action(Action.CARE_REFERRALS)
def referrals(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.referral_list_for(user=_user(request))[:100])
    return render(request, "care/referrals.html", {"rows": rows, "now": timezone.now()})


@require_action(Action.CARE_REFERRALS)
@require_POST
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    referral = selectors.referral_get_for(user=user, pk=pk)
    try:
        services.referral_accept(actor=user, referral=referral)
        messages.success(request, _("Accepted."))
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("care:referrals")


@require_action(Action.CARE_REPORT)
@require_http_methods(["GET", "POST"])
def minor_report(request: HttpRequest) -> HttpResponse:
    """强制报告: a child at risk, straight to the responsible department."""
    user = _user(request)
    found, chosen = _pick_resident(request, Action.CARE_REPORT)
    status = 200
    departments = []
    if chosen is not None:
        departments = list(selectors.departments_for(chosen.area))
    if request.method == "POST":
        try:
            if chosen is None:
                raise ShequError(_("Choose the person."), fields={"resident": "required"})
            unit = Unit.objects.filter(
                pk__in=[d.pk for d in departments], pk=_int(request.POST.get("unit"))
            ).first()
            if unit is None:
                unit = next((d for d in departments if d.code.endswith("-MZ")), None)
            if unit is None:
                raise ShequError(_("Choose the department to refer to."), fields={"unit": "required"})
            services.minor_report(actor=user, resident=chosen, note=request.POST.get("note", ""), unit=unit)
        except ShequError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(
                request,
                _("The report went to %(unit)s; they must act within 24 hours.") % {"unit": unit.name},
            )
            return redirect("care:home")
    return render(
        request,
        "care/minor_report.html",
        {"found": found, "q": request.GET.get("q") or request.POST.get("q", ""), "form": request.POST},
        status=status,
    )


@require_action(Action.CARE_GROUPS_EDIT)
@require_http_methods(["GET", "POST"])
def orders(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    found, chosen = _pick_resident(request, Action.CARE_GROUPS_EDIT)
    providers = list(selectors.providers_for(user=user))
    status = 200
    if request.method == "POST":
        p = request.POST
        try:
            if chosen is None:
                raise ShequError(_("Choose the person."), fields={"resident": "required"})
            provider = next((x for x in providers if x.pk == _int(p.get("provider"))), None)
            if provider is None:
                raise ShequError(_("Choose the provider."), fields={"provider": "required"})
            services.order_create(
                actor=user,
                resident=chosen,
                provider=provider,
                kind=p.get("kind", ""),
                scheduled_for=_date(p.get("scheduled_for", "")),
            )
        except ShequError as e:
            messages.error(request, e.message)
            status = 400
        else:
            messages.success(request, _("Ordered."))
            return redirect("care:orders")
    ratings = selectors.provider_ratings(providers)
    return render(
        request,
        "care/orders.html",
        {
            "rows": list(selectors.order_list_for(user=user)[:100]),
            "providers": [(x, ratings.get(x.pk)) for x in providers],
            "kinds": OrderKind.choices,
            "found": found,
            "q": request.GET.get("q") or request.POST.get("q", ""),
            "form": request.POST,
        },
        status=status,
    )


@require_action(Action.CARE_GROUPS_EDIT)
@require_POST
def order_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    order = selectors.order_get_for(user=user, pk=pk)
    try:
        services.order_complete(
            actor=user,
            order=order,
            rating=_int(request.POST.get("rating")) or None,
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, _("Done and rated."))
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("care:orders")
