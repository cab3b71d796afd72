"""Console pages: a year's 激励名单 and 风险名单 with each entry's evidence, computing them, exporting them."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from shequ.access.decorators import require_action
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.exports import export_response
from shequ.core.masking import mask_name
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from . import formula, selectors, services
from .choices import STANDING_BADGE, Level, Standing, SubjectKind


def reasons_text() -> dict[str, str]:
    """Why an entry stands where it does, in words (the formula's reason codes)."""
    return {
        "serious_finding": _("a serious inspection finding in the year"),
        "below_risk": _("a score below %(n)d") % {"n": formula.RISK_BELOW},
        "at_incentive": _("a score of %(n)d or more, with the owners' evaluation")
        % {"n": formula.INCENTIVE_AT},
        "too_few_answers": _("a high score but fewer than %(n)d evaluation answers")
        % {"n": formula.MIN_ANSWERS_FOR_INCENTIVE},
        "in_between": _("a score between the two lists"),
    }


def _year(request: HttpRequest, years: list[int]) -> int:
    """The year asked for; by default the latest year with lists, else last year."""
    if not request.GET.get("year"):
        return years[0] if years else timezone.localdate().year - 1
    try:
        year = int(request.GET["year"])
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@require_action(Action.CREDIT_MANAGE)
def console_lists(request: HttpRequest) -> HttpResponse:
    computed = selectors.years_for(user=request.user)
    year = _year(request, computed)
    entries = list(selectors.entry_list_for(user=request.user, year=year))
    reasons = reasons_text()
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return export_response(
            fmt,
            filename=f"credit-{year}",
            headers=[
                _("List"),
                pgettext("of a place or thing", "Name"),
                _("Kind"),
                _("Score"),
                _("Supervision level"),
                _("Evidence"),
            ],
            rows=[
                [
                    e.get_standing_display(),
                    e.subject.name,
                    e.subject.get_kind_display(),
                    str(e.score),
                    e.level,
                    "；".join(str(reasons.get(r, r)) for r in e.evidence.get("reasons", [])),
                ]
                for e in entries
            ],
        )
    for e in entries:
        e.badge = STANDING_BADGE[Standing(e.standing)]  # type: ignore[attr-defined]
        e.reasons = [reasons.get(r, r) for r in e.evidence.get("reasons", [])]  # type: ignore[attr-defined]
    groups = [
        (Standing.INCENTIVE.label, "incentive", [e for e in entries if e.standing == Standing.INCENTIVE]),
        (Standing.RISK.label, "risk", [e for e in entries if e.standing == Standing.RISK]),
        (Standing.NORMAL.label, "normal", [e for e in entries if e.standing == Standing.NORMAL]),
    ]
    years = sorted({year, *computed}, reverse=True)
    context = {
        "year": year,
        "years": years,
        "groups": groups,
        "levels": Level.choices,
        "weights": formula.WEIGHTS,
        "formula": formula,
    }
    return render(request, "credit/console_lists.html", context)


@require_GET
def public_lists(request: HttpRequest) -> HttpResponse:
    """信用公示: the year's incentive and risk lists for everyone, by district. A project manager is a person:
    his name is masked and his company named; the evidence (appeal numbers, inspections) stays in the console."""
    years = selectors.public_years()
    year = _year(request, years)
    districts = list(Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code"))
    district = request.GET.get("district") or None
    chosen = next((d for d in districts if d.code == district), None)
    if district and chosen is None:
        raise Http404
    reasons = reasons_text()
    entries = list(selectors.public_entries(year=year, under=chosen.path if chosen else None))
    for e in entries:
        e.badge = STANDING_BADGE[Standing(e.standing)]  # type: ignore[attr-defined]
        e.reasons = [reasons.get(r, r) for r in e.evidence.get("reasons", [])]  # type: ignore[attr-defined]
        manager = e.subject.kind == SubjectKind.PROJECT_MANAGER
        e.shown_name = mask_name(e.subject.name) if manager else e.subject.name  # type: ignore[attr-defined]
    groups = [
        (Standing.INCENTIVE.label, "incentive", [e for e in entries if e.standing == Standing.INCENTIVE]),
        (Standing.RISK.label, "risk", [e for e in entries if e.standing == Standing.RISK]),
    ]
    context = {
        "year": year,
        "years": sorted({year, *years}, reverse=True),
        "groups": groups,
        "districts": districts,
        "district": district,
        "formula": formula,
    }
    return render(request, "credit/public.html", context)


@require_action(Action.CREDIT_MANAGE)
@require_POST
def console_compute(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        year = 0
    try:
        n = services.credit_lists_compute(actor=request.user, year=year)
    except ShequError as exc:
        messages.error(request, exc.message)
        return redirect("credit:console_lists")
    messages.success(request, _("The %(year)d lists are computed: %(n)d entries.") % {"year": year, "n": n})
    return redirect(f"{reverse('credit:console_lists')}?year={year}")
