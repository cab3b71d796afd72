"""The community workers' and street officers' pages (console): needs of their communities to match, resources and
projects to add, meetings to convene and run (attendance code, roster, live polls, minutes, decisions and what
they become), deliberation topics and reported comments to review. Scoped by participation.manage; out of scope is
404."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.exports import export_response
from shequ.core.masking import mask_name, redact

from . import forms, selectors, services
from .choices import NEED_BADGES, MeetingKind, NeedStatus, ResourceKind
from .models import Attendance, Category, Invitation
from .views import meeting_qr

MANAGE = Action.PARTICIPATION_MANAGE


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _area(request: HttpRequest, code: str):
    """A community inside the staff member's areas, else 'choose a community' (never a hint that it exists)."""
    area = selectors.staff_areas(user=_user(request)).filter(code=code).first()
    if area is None:
        raise ShequError(_("Choose a community."), code="invalid", fields={"area": _("Choose a community.")})
    return area


def _dt(value: str) -> datetime | None:
    parsed = parse_datetime(value or "")
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        # Fill a community's lists from what exists: the month's top problems of appeals become needs, the venues
        # and volunteer teams of its street become linked resources.
        try:
            area = _area(request, request.POST.get("area", ""))
            if request.POST.get("action") == "top_problems":
                month = parse_date((request.POST.get("month", "") or "") + "-01")
                if month is None:
                    raise ShequError(_("Enter the month as YYYY-MM."), fields={"month": "invalid"})
                made = services.needs_from_top_problems(actor=user, month=month, area=area)
                messages.success(request, _("%(n)d needs added from the top problems.") % {"n": len(made)})
            else:
                linked = services.resources_link_existing(actor=user, area=area)
                messages.success(
                    request, _("%(n)d venues and teams added as resources.") % {"n": len(linked)}
                )
        except ShequError as e:
            messages.error(request, e.message)
        return redirect("participation:console")
    status = request.GET.get("status", NeedStatus.OPEN)
    if status not in NeedStatus.values:
        status = NeedStatus.OPEN
    return render(
        request,
        "participation/console_overview.html",
        {
            "needs": list(selectors.staff_needs(user=user, status=status)[:100]),
            "status": status,
            "statuses": NeedStatus.choices,
            "badges": NEED_BADGES,
            "resources": list(selectors.staff_resources(user=user)[:50]),
            "projects": list(selectors.staff_projects(user=user)[:50]),
            "meetings": list(selectors.staff_meetings(user=user)[:30]),
            "topics": list(selectors.staff_topics(user=user)[:30]),
            "pending": list(selectors.comments_pending_review(user=user)[:50]),
            "areas": selectors.staff_areas(user=user)[:300],
            "month": timezone.localdate().strftime("%Y-%m"),
            "exports": [
                ("needs", pgettext("three lists", "Needs")),
                ("resources", _("Resources")),
                ("projects", _("Projects")),
            ],
        },
    )


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def need(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    n = selectors.need_get_for(user=user, pk=pk)
    form = {k: request.POST.get(k, "") for k in ("target", "reply")}
    errors: dict = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "resolve":
                services.need_resolve(actor=user, need=n, note=form["reply"])
                messages.success(request, _("The need is marked resolved."))
            else:
                kind, _sep, ident = form["target"].partition(":")
                resource = project = None
                if kind == "resource" and ident.isdigit():
                    resource = selectors.resource_get_for(user=user, pk=int(ident))
                elif kind == "project" and ident.isdigit():
                    project = selectors.project_get_for(user=user, pk=int(ident))
                services.need_match(
                    actor=user, need=n, resource=resource, project=project, reply=form["reply"]
                )
                messages.success(request, _("The need is matched; the resident is told."))
            return redirect("participation:console_need", pk=n.pk)
        except ShequError as e:
            messages.error(request, e.message)
            errors = e.fields
    return render(
        request,
        "participation/console_need.html",
        {
            "need": n,
            "poster": mask_name(n.posted_by.display_name or n.posted_by.username) if n.posted_by else "",
            "resources": list(selectors.staff_resources(user=user, area=n.area)),
            "projects": list(selectors.staff_projects(user=user, area=n.area)),
            "form": form,
            "errors": errors,
            "badges": NEED_BADGES,
        },
        status=400 if errors else 200,
    )


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def resource_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    fields = ("area", "category", "kind", "name", "description", "contact")
    form = {k: request.POST.get(k, "") for k in fields}
    errors: dict = {}
    if request.method == "POST":
        try:
            services.resource_add(
                actor=user,
                area=_area(request, form["area"]),
                category=services.category_by_code(form["category"]),
                kind=form["kind"],
                name=form["name"],
                description=form["description"],
                contact=form["contact"],
            )
            messages.success(request, _("The resource is on the community's list."))
            return redirect("participation:console")
        except ShequError as e:
            messages.error(request, e.message)
            errors = e.fields
    return render(
        request,
        "participation/console_resource_new.html",
        {
            "form": form,
            "errors": errors,
            "areas": selectors.staff_areas(user=user)[:300],
            "categories": Category.objects.all(),
            "kinds": ResourceKind.choices,
        },
        status=400 if errors else 200,
    )


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    """A project on a community's list (民生微实事 or any other), to which its needs can then be matched."""
    user = _user(request)
    form = forms.ProjectForm(request.POST or None, areas=selectors.staff_areas(user=user))
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            project = services.project_create(
                actor=user,
                area=_area(request, c["area"]),
                category=services.category_by_code(c["category"]),
                title=c["title"],
                description=c["description"],
                budget_yuan=c["budget_yuan"],
            )
        except ShequError as e:
            form.add_service_errors(e)
        else:
            messages.success(request, _("The project is on the community's list."))
            return redirect("participation:console_project", pk=project.pk)
    context = {"form": form, "heading": _("Add a project"), "submit": _("Add the project")}
    return render(request, "participation/console_form.html", context, status=400 if form.errors else 200)


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project, the needs matched to it (the trace from a resident's need to what was done) and its status."""
    user = _user(request)
    p = selectors.project_get_for(user=user, pk=pk)
    form = forms.ProjectStatusForm(request.POST or None, initial={"status": p.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.project_set_status(actor=user, project=p, status=form.cleaned_data["status"])
        except ShequError as e:
            form.add_service_errors(e)
        else:
            messages.success(request, _("The project's status is saved."))
            return redirect("participation:console_project", pk=p.pk)
    matches = p.matches.select_related("need", "need__category").order_by("matched_at")
    context = {"project": p, "form": form, "matches": matches, "badges": NEED_BADGES}
    return render(request, "participation/console_project.html", context, status=400 if form.errors else 200)


def _hours(value: float | None) -> object:
    return "" if value is None else value


@require_action(MANAGE)
def export(request: HttpRequest, which: str) -> HttpResponse:
    """One of the three lists of the staff member's communities as CSV or Excel. Needs carry no poster (a
    resident's name is personal data) and their text is redacted of any personal data typed into it."""
    user = _user(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx") or which not in ("needs", "resources", "projects"):
        raise Http404
    headers: list[str]
    rows: list[list[object]]
    if which == "needs":
        headers = [
            _("Community"),
            _("Category"),
            _("Need"),
            _("What is needed"),
            _("Source"),
            _("Posted at"),
            _("Status"),
            _("Response time (hours)"),
        ]
        rows = [
            [
                n.area.name,
                n.category.name,
                redact(n.title),
                redact(n.description),
                n.get_source_display(),
                timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M"),
                n.get_status_display(),
                _hours(n.response_hours),
            ]
            for n in selectors.staff_needs(user=user).order_by("area__path", "created_at")[:20000]
        ]
    elif which == "resources":
        headers = [
            _("Community"),
            _("Category"),
            _("Kind"),
            _("Resource name"),
            _("What it offers"),
            pgettext("of a resource", "Contact"),
        ]
        rows = [
            [
                r.area.name,
                r.category.name,
                r.get_kind_display(),
                r.name,
                redact(r.description),
                redact(r.contact),
            ]
            for r in selectors.staff_resources(user=user).order_by("area__path", "name")[:20000]
        ]
    else:
        headers = [
            _("Community"),
            _("Category"),
            _("Title"),
            _("Status"),
            _("Budget (yuan)"),
            _("Needs matched"),
        ]
        projects = selectors.staff_projects(user=user).annotate(n=Count("matches"))
        rows = [
            [p.area.name, p.category.name, p.title, p.get_status_display(), p.budget_yuan or "", p.n]
            for p in projects.order_by("area__path", "title")[:20000]
        ]
    day = timezone.localdate().strftime("%Y%m%d")
    return export_response(fmt, filename=f"participation-{which}-{day}", headers=headers, rows=rows)


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    fields = ("area", "kind", "title", "agenda", "place", "starts_at", "ends_at")
    form = {k: request.POST.get(k, "") for k in fields}
    errors: dict = {}
    if request.method == "POST":
        try:
            meeting = services.meeting_create(
                actor=user,
                area=_area(request, form["area"]),
                kind=form["kind"],
                title=form["title"],
                agenda=form["agenda"],
                place=form["place"],
                starts_at=_dt(form["starts_at"]),
                ends_at=_dt(form["ends_at"]),
            )
            messages.success(request, _("The meeting is convened."))
            return redirect("participation:console_meeting", pk=meeting.pk)
        except ShequError as e:
            messages.error(request, e.message)
            errors = e.fields
    return render(
        request,
        "participation/console_meeting_new.html",
        {
            "form": form,
            "errors": errors,
            "areas": selectors.staff_areas(user=user)[:300],
            "kinds": MeetingKind.choices,
        },
        status=400 if errors else 200,
    )


def _meeting_act(request: HttpRequest, user: User, meeting) -> None:
    action = request.POST.get("action", "")
    if action == "invite_posters":
        # Invite the residents who posted the community's open needs: they are the ones the meeting is about.
        people = [
            n.posted_by
            for n in selectors.staff_needs(user=user).filter(area=meeting.area, posted_by__isnull=False)
            if n.posted_by is not None
        ]
        n = services.meeting_invite(actor=user, meeting=meeting, people=people)
        messages.success(request, _("%(n)d people invited.") % {"n": n})
    elif action == "minutes":
        services.meeting_minutes_publish(actor=user, meeting=meeting, minutes=request.POST.get("minutes", ""))
        messages.success(request, _("The minutes are published."))
    elif action == "decision":
        services.decision_add(
            actor=user,
            meeting=meeting,
            text=request.POST.get("text", ""),
            follow_up=request.POST.get("follow_up", ""),
            follow_up_due=parse_date(request.POST.get("follow_up_due", "") or ""),
        )
        messages.success(request, _("The decision is recorded."))
    elif action in ("to_project", "to_need", "to_appeal", "done"):
        decision = selectors.decision_get_for(user=user, pk=int(request.POST.get("decision", "0") or 0))
        if decision.meeting_id != meeting.pk:
            raise ShequError(_("Not found."), status=404)
        if action == "to_project":
            project = services.decision_to_project(
                actor=user,
                decision=decision,
                category=services.category_by_code(request.POST.get("category", "")),
            )
            messages.success(
                request, _("The decision became the project %(title)s.") % {"title": project.title}
            )
        elif action == "to_need":
            services.decision_to_need(
                actor=user,
                decision=decision,
                category=services.category_by_code(request.POST.get("category", "")),
            )
            messages.success(request, _("The decision became a need on the community's list."))
        elif action == "to_appeal":
            number = services.decision_to_appeal(actor=user, decision=decision)
            messages.success(request, _("The decision became the appeal %(number)s.") % {"number": number})
        else:
            services.decision_done(actor=user, decision=decision)
            messages.success(request, _("The follow-up is done."))
    elif action == "poll":
        options = [o for o in request.POST.get("options", "").splitlines()]
        services.poll_open(
            actor=user, meeting=meeting, question=request.POST.get("question", ""), options=options
        )
        messages.success(request, _("The poll is open."))
    elif action == "poll_close":
        poll = selectors.poll_get_for(user=user, pk=int(request.POST.get("poll", "0") or 0))
        services.poll_close(actor=user, poll=poll)
        messages.success(request, _("The poll is closed."))
    else:
        raise ShequError(_("Choose one of the allowed values."))


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    m = selectors.meeting_get_for(user=user, pk=pk)
    errors: dict = {}
    if request.method == "POST":
        try:
            _meeting_act(request, user, m)
            return redirect("participation:console_meeting", pk=m.pk)
        except ShequError as e:
            messages.error(request, e.message)
            errors = e.fields
    m = selectors.meeting_get_public(pk=m.pk)
    svg, url = meeting_qr(m, request)
    attendance = list(Attendance.objects.filter(meeting=m).select_related("person"))
    return render(
        request,
        "participation/console_meeting.html",
        {
            "meeting": m,
            "qr": svg,
            "checkin_url": url,
            "present": [(a, mask_name(a.person.display_name or a.person.username)) for a in attendance],
            "invited": Invitation.objects.filter(meeting=m).count(),
            "polls": [(p, selectors.poll_results(p)) for p in m.polls.all()],
            "categories": Category.objects.all(),
            "errors": errors,
            "post": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@require_action(MANAGE)
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = {k: request.POST.get(k, "") for k in ("area", "title", "body")}
    errors: dict = {}
    if request.method == "POST":
        try:
            t = services.topic_create(
                actor=user, area=_area(request, form["area"]), title=form["title"], body=form["body"]
            )
            messages.success(request, _("The topic is open for comments."))
            return redirect("participation:topic", pk=t.pk)
        except ShequError as e:
            messages.error(request, e.message)
            errors = e.fields
    return render(
        request,
        "participation/console_topic_new.html",
        {"form": form, "errors": errors, "areas": selectors.staff_areas(user=user)[:300]},
        status=400 if errors else 200,
    )


@require_action(MANAGE)
@require_POST
def comment_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    comment = selectors.comment_get_for(user=user, pk=pk)
    try:
        services.comment_review(actor=user, comment=comment, keep=request.POST.get("keep") == "1")
        messages.success(request, _("The review is recorded."))
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("participation:console")
