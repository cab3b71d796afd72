"""The residents' pages (portal, elder mode included): each community's three lists, meetings with their minutes and
decisions, online deliberation, and a resident's own needs and where they went. Thin: form → services → page;
refusals are shown in Chinese and write nothing. Public pages show no personal data."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.scoping import home_area_for
from shequ.accounts.models import User
from shequ.core.errors import ShequError
from shequ.core.qr import qr_svg
from shequ.geo.models import Area

from . import selectors, services
from .choices import HIDE_AFTER_REPORTS, NEED_BADGES, CommentStatus, PollStatus
from .models import Attendance, Category, Comment, Need, Poll, Project, Resource

RESIDENT_LOGIN = "/accounts/resident/"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _areas_with_lists() -> list[Area]:
    """Communities that have anything on their lists (the picker); a few hundred at most in the city."""
    ids = (
        set(Need.objects.values_list("area_id", flat=True).distinct()[:500])
        | set(Resource.objects.values_list("area_id", flat=True).distinct()[:500])
        | set(Project.objects.values_list("area_id", flat=True).distinct()[:500])
    )
    return list(Area.objects.filter(pk__in=ids).order_by("path"))


def lists(request: HttpRequest) -> HttpResponse:
    """A community's three lists, its meetings and its deliberation topics: public."""
    code = request.GET.get("area", "")
    area = Area.objects.filter(code=code).first() if code else None
    if area is None and request.user.is_authenticated:
        area = services.community_of(home_area_for(request.user))
    choices = _areas_with_lists()
    if area is None and choices:
        area = choices[0]
    context: dict = {"area": area, "choices": choices, "badges": NEED_BADGES}
    if area is not None:
        context.update(
            needs=list(selectors.need_list_public(area=area)[:50]),
            resources=list(selectors.resource_list_public(area=area)[:50]),
            projects=list(selectors.project_list_public(area=area)[:50]),
            meetings=list(selectors.meeting_list_public(area=area)[:20]),
            topics=list(selectors.topic_list_public(area=area)[:20]),
            summary=selectors.lists_summary(area),
        )
    return render(request, "participation/lists.html", context)


def need_public(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get_public(pk=pk)
    return render(request, "participation/need.html", {"need": need, "badges": NEED_BADGES, "mine": False})


def project_public(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_public(pk=pk)
    needs = [m.need for m in project.matches.select_related("need").exclude(need__status="closed")]
    return render(
        request,
        "participation/project.html",
        {"project": project, "needs": needs, "decisions": project.decisions.select_related("meeting")},
    )


def meeting_public(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_public(pk=pk)
    present = (
        request.user.is_authenticated
        and Attendance.objects.filter(meeting=meeting, person=_user(request)).exists()
    )
    answered: set[int] = set()
    if present:
        answered = set(
            Poll.objects.filter(meeting=meeting, answers__person=_user(request)).values_list("pk", flat=True)
        )
    polls = [(p, selectors.poll_results(p)) for p in meeting.polls.all()]
    return render(
        request,
        "participation/meeting.html",
        {
            "meeting": meeting,
            "polls": polls,
            "present": present,
            "answered": answered,
            "open_status": PollStatus.OPEN,
        },
    )


def topic(request: HttpRequest, pk: int) -> HttpResponse:
    t = selectors.topic_get_public(pk=pk)
    return render(
        request,
        "participation/topic.html",
        {
            "topic": t,
            "comments": selectors.comments_of(t),
            "visible": CommentStatus.VISIBLE,
            "hide_after": HIDE_AFTER_REPORTS,
            "form": {"body": ""},
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def topic_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Comment, reply, support or report on a topic (signed in); a refusal keeps what was typed."""
    t = selectors.topic_get_public(pk=pk)
    user = _user(request)
    action = request.POST.get("action", "")
    comment = None
    if request.POST.get("comment"):
        ident = request.POST.get("comment", "")
        comment = get_object_or_404(Comment, topic=t, pk=int(ident) if ident.isdigit() else 0)
    try:
        if action == "comment":
            services.comment_post(actor=user, topic=t, body=request.POST.get("body", ""), parent=comment)
            messages.success(request, _("Your comment is posted."))
        elif action == "support":
            done = services.support_add(actor=user, topic=None if comment else t, comment=comment)
            messages.success(
                request, _("Thank you for your support.") if done else _("You already support it.")
            )
        elif action == "report" and comment is not None:
            services.comment_report(actor=user, comment=comment, reason=request.POST.get("reason", ""))
            messages.success(request, _("Thank you: a moderator will look at it."))
        else:
            raise ShequError(_("Choose one of the allowed values."))
    except ShequError as e:
        messages.error(request, e.message)
        return render(
            request,
            "participation/topic.html",
            {
                "topic": t,
                "comments": selectors.comments_of(t),
                "visible": CommentStatus.VISIBLE,
                "hide_after": HIDE_AFTER_REPORTS,
                "form": {"body": request.POST.get("body", ""), "errors": e.fields},
            },
            status=400,
        )
    return redirect("participation:topic", pk=t.pk)


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The meeting's attendance code opens this page; the person confirms he is present."""
    try:
        meeting = services.meeting_from_token(token)
    except ShequError:
        raise Http404 from None  # a forged or stale code is as missing as an unknown one
    if request.method == "POST":
        try:
            services.attendance_check_in(actor=_user(request), token=token)
        except ShequError as e:
            messages.error(request, e.message)
            return render(
                request, "participation/checkin.html", {"meeting": meeting, "token": token}, status=409
            )
        messages.success(request, _("You are checked in at %(title)s.") % {"title": meeting.title})
        return redirect("participation:meeting", pk=meeting.pk)
    return render(request, "participation/checkin.html", {"meeting": meeting, "token": token})


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def poll_answer(request: HttpRequest, pk: int) -> HttpResponse:
    poll = get_object_or_404(Poll.objects.select_related("meeting"), pk=pk)
    try:
        option = int(request.POST.get("option", ""))
    except ValueError:
        option = -1
    try:
        services.poll_answer(actor=_user(request), poll=poll, option=option)
        messages.success(request, _("Your answer is counted."))
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("participation:meeting", pk=poll.meeting_id)


@login_required(login_url=RESIDENT_LOGIN)
def my_needs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "participation/my_needs.html",
        {"needs": list(selectors.needs_of(_user(request))[:100]), "badges": NEED_BADGES},
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    where = home_area_for(user)
    home = services.community_of(where)
    # The communities of his street to choose from (a resident registered at the street level picks his own).
    street = (
        home.parent if home is not None else where if where is not None and where.level == "street" else None
    )
    choices = list(selectors.communities(under=street)) if street is not None else []
    form = {k: request.POST.get(k, "") for k in ("category", "title", "description")}
    form["area"] = request.POST.get("area", home.code if home else "")
    errors: dict = {}
    if request.method == "POST":
        try:
            need = services.need_post(
                actor=user,
                area=services.community_by_code(form["area"]),
                category=services.category_by_code(form["category"]),
                title=form["title"],
                description=form["description"],
            )
        except ShequError as e:
            messages.error(request, e.message)
            errors = e.fields
        else:
            messages.success(
                request, _("Your need is on the community's list: %(number)s.") % {"number": need.number}
            )
            return redirect("participation:my_need", pk=need.pk)
    return render(
        request,
        "participation/need_new.html",
        {
            "form": form,
            "errors": errors,
            "home": home,
            "choices": choices,
            "categories": Category.objects.all(),
        },
        status=400 if errors else 200,
    )


@login_required(login_url=RESIDENT_LOGIN)
def my_need(request: HttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get_mine(user=_user(request), pk=pk)
    return render(request, "participation/need.html", {"need": need, "badges": NEED_BADGES, "mine": True})


def meeting_qr(meeting, request: HttpRequest):
    """The attendance code as inline SVG (the convener's screen or a printout)."""
    from django.urls import reverse

    url = request.build_absolute_uri(reverse("participation:checkin", args=[services.checkin_token(meeting)]))
    return qr_svg(url), url
