"""Pages: residents answer on the portal (phone first, elder mode); staff publish, remind, close, read the
response rates per community and the results with charts, and export, in the console. Thin: each calls a service
or a selector."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import scope_for
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.exports import export_response
from shequ.geo.models import Area

from . import forms, selectors, services
from .choices import QuestionKind, SurveyStatus
from .models import Response

RESIDENT_LOGIN = "/accounts/resident/"


def _answers_from(post, questions) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in questions:
        key = str(q.position)
        if q.kind == QuestionKind.MULTIPLE:
            answers[key] = post.getlist(f"q{key}")
        else:
            answers[key] = post.get(f"q{key}", "")
    return answers


# --- portal ----------------------------------------------------------------------------------------------------


@login_required(login_url=RESIDENT_LOGIN)
def my_surveys(request: HttpRequest) -> HttpResponse:
    surveys = list(selectors.my_surveys(user=request.user).order_by("-opens_at")[:50])
    invitations = selectors.my_invitations(user=request.user, surveys=surveys)
    now = timezone.now()
    rows = [
        {
            "survey": s,
            "answered": getattr(invitations.get(s.pk), "responded", False),
            "open": services.survey_accepts(s, now),
        }
        for s in surveys
    ]
    return render(request, "surveys/my_surveys.html", {"rows": rows})


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.my_survey_get(user=request.user, pk=pk)
    questions = list(survey.questions.all())
    invitation = services.invitation_for(user=request.user, survey=survey)
    given: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        given = _answers_from(request.POST, questions)
        try:
            services.response_submit(user=request.user, survey=survey, answers=given)
        except ShequError as exc:
            messages.error(request, exc.message)
            status = 409 if exc.status == 409 else 400
        else:
            messages.success(request, _("Thank you: your answers are recorded."))
            return redirect("surveys:answer", pk=pk)
    rows = []
    for q in questions:
        value = given.get(str(q.position))
        rows.append(
            {
                "q": q,
                "value": value,
                "values": value if isinstance(value, list) else [value] if value else [],
                "scale": [str(i) for i in range(1, q.scale_max + 1)] if q.kind == QuestionKind.SCALE else [],
            }
        )
    context = {
        "survey": survey,
        "rows": rows,
        "answered": bool(invitation and invitation.responded),
        "open": services.survey_accepts(survey),
    }
    return render(request, "surveys/answer.html", context, status=status)


# --- console ---------------------------------------------------------------------------------------------------


@require_action(Action.SURVEYS_MANAGE)
def console_home(request: HttpRequest) -> HttpResponse:
    surveys = list(selectors.survey_list_for(user=request.user).select_related("area")[:100])
    return render(request, "surveys/console_home.html", {"surveys": surveys})


@require_action(Action.SURVEYS_MANAGE)
@require_http_methods(["GET", "POST"])
def console_new(request: HttpRequest) -> HttpResponse:
    """The questionnaire builder: the survey and its questions on one page; saved as a draft, or published at
    once (the invitations are drawn and those invited are told). Refused: 400, everything typed kept, each reason
    next to its field or question."""
    post = request.POST if request.method == "POST" else None
    form = forms.SurveyForm(post, user=request.user)
    rows = forms.QuestionFormSet(post, prefix="q")
    status = 200
    if post is not None:
        if form.is_valid() and rows.is_valid():
            filled = [f for f in rows if f.has_content()]
            c = form.cleaned_data
            try:
                area = selectors.area_for(user=request.user, code=c["area"])
                if area is None:
                    raise ShequError(_("Not found."), fields={"area": "unknown"})
                with transaction.atomic():
                    survey = services.survey_create(
                        actor=request.user,
                        title=c["title"],
                        area=area,
                        kind=c["kind"],
                        description=c["description"],
                        group=c["group"],
                        anonymous=c["anonymous"],
                        per_household=c["per_household"],
                        sampling=c["sampling"],
                        sample_size=c["sample_size"] or 0,
                        year=c["year"],
                        opens_at=c["opens_at"],
                        closes_at=c["closes_at"],
                        questions=[f.question() for f in filled],
                    )
                    if post.get("publish"):
                        survey = services.survey_publish(actor=request.user, survey=survey)
            except ShequError as exc:
                _place_question_error(exc, form, filled)
            else:
                if post.get("publish"):
                    messages.success(request, _("The survey is published and those invited are told."))
                else:
                    messages.success(request, _("The survey is saved as a draft: check it, then publish it."))
                return redirect("surveys:console_survey", pk=survey.pk)
        status = 400
    context = {"form": form, "rows": rows, "refused": status == 400}
    return render(request, "surveys/console_new.html", context, status=status)


def _place_question_error(exc: ShequError, form, filled: list) -> None:
    """A questionnaire's reason goes next to its question ({"questions": {"3": "choices"}}: the third question
    that was filled in, its choices); the survey's next to its field; the rest above the form."""
    where = exc.fields.get("questions")
    if isinstance(where, dict):
        for position, field in where.items():
            index = int(position) - 1
            if 0 <= index < len(filled):
                name = field if field in filled[index].fields else "text"
                if field == "show_if":
                    name = "show_if_position"
                filled[index].add_error(name, exc.message)
                return
    form.add_service_errors(exc)


def _satisfaction_area(request: HttpRequest):
    """The area asked for (?area=code) if the user's surveys.manage scope covers it, else his widest area."""
    paths = sorted(scope_for(request.user, Action.SURVEYS_MANAGE).paths, key=len)
    code = request.GET.get("area")
    if code:
        area = Area.objects.filter(code=code).first()
        if area is None or not any(area.path.startswith(p) for p in paths):
            raise Http404
        return area
    area = Area.objects.filter(path=paths[0]).first() if paths else None
    if area is None:
        raise Http404
    return area


def _date(value: str | None, default):
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


@require_action(Action.SURVEYS_MANAGE)
def console_satisfaction(request: HttpRequest) -> HttpResponse:
    """满意度 per community: the satisfaction questions of surveys beside appeals' 好差评, for the chosen period."""
    area = _satisfaction_area(request)
    today = timezone.localdate()
    until = _date(request.GET.get("until"), today)
    since = _date(request.GET.get("since"), until - timedelta(days=365))
    if since > until or (until - since).days > 3 * 366:
        raise Http404
    rows = selectors.satisfaction_by_community(area=area, since=since, until=until)
    headers = [
        _("Community"),
        _("Survey satisfaction"),
        _("Survey answers"),
        _("Appeals rated satisfied (%)"),
        _("Appeals rated"),
        _("Combined"),
    ]
    if request.GET.get("export") in ("csv", "xlsx"):
        return export_response(
            request.GET["export"],
            filename=f"satisfaction-{area.code}-{since:%Y%m%d}-{until:%Y%m%d}",
            headers=headers,
            rows=[
                [r.name, r.survey_score, r.survey_answers, r.appeal_score, r.appeal_ratings, r.combined]
                for r in rows
            ],
        )
    context = {
        "area": area,
        "since": since,
        "until": until,
        "rows": rows,
        "headers": headers,
        "unmeasured": sum(1 for r in rows if r.combined is None),
        "series": [_("Survey satisfaction"), _("Appeals rated satisfied (%)")],
        "chart": [
            {"name": r.name, "survey": r.survey_score, "appeals": r.appeal_score}
            for r in rows
            if r.combined is not None
        ],
    }
    return render(request, "surveys/console_satisfaction.html", context)


@require_action(Action.SURVEYS_MANAGE)
def console_survey(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get_for(user=request.user, pk=pk)
    rates = selectors.response_rates(survey)
    results = selectors.survey_results(survey)
    chart = {
        "rates": [
            {"name": r.name, "rate": round(100 * r.rate, 1) if r.rate is not None else None}
            for r in rates.rows
        ],
        "questions": [
            {"position": q["position"], "labels": q["labels"], "counts": q["counts"]}
            for q in results
            if q["labels"]
        ],
    }
    context = {
        "survey": survey,
        "rates": rates,
        "results": results,
        "chart": chart,
        "can_publish": survey.status == SurveyStatus.DRAFT,
        "can_remind": services.survey_accepts(survey),
        "can_close": survey.status == SurveyStatus.OPEN,
    }
    return render(request, "surveys/console_survey.html", context)


@require_action(Action.SURVEYS_MANAGE)
@require_POST
def console_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    survey = selectors.survey_get_for(user=request.user, pk=pk)
    try:
        if action == "publish":
            survey = services.survey_publish(actor=request.user, survey=survey)
            messages.success(request, _("The survey is published and those invited are told."))
        elif action == "remind":
            n = services.survey_remind(actor=request.user, survey=survey)
            messages.success(request, _("Reminders sent to %(n)d people.") % {"n": n})
        elif action == "close":
            services.survey_close(actor=request.user, survey=survey)
            messages.success(request, _("The survey is closed."))
        else:
            raise Http404
    except ShequError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:console_survey", pk=pk)


@require_action(Action.SURVEYS_MANAGE)
def console_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every response, one row each, with its community and date; a named survey adds the respondent's account."""
    survey = selectors.survey_get_for(user=request.user, pk=pk)
    questions = list(survey.questions.all())
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    headers = [_("Community"), _("Date")]
    if not survey.anonymous:
        headers.append(_("Respondent"))
    headers += [f"{q.position}. {q.text}" for q in questions]
    rows = []
    responses = Response.objects.filter(survey=survey).select_related("community", "respondent")
    for r in responses.order_by("community__code", "submitted_on"):
        row: list[object] = [r.community.name, r.submitted_on.isoformat()]
        if not survey.anonymous:
            row.append(r.respondent.username if r.respondent else "")
        for q in questions:
            v = r.answers.get(str(q.position), "")
            row.append("、".join(v) if isinstance(v, list) else v)
        rows.append(row)
    return export_response(fmt, filename=f"survey-{survey.pk}", headers=headers, rows=rows)
