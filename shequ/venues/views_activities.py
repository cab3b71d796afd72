"""Pages of events and courses: the portal's list by community or city-wide, one activity with sign-up, the
person's own sign-ups with cancel and his calendar feed, attendance by QR code; the iCalendar feeds; the console's
list with the sessions' attendance codes. Thin: form → activities service → page."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import home_area_for, visible_to
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.qr import qr_svg
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from . import activities, ical, selectors, services
from .choices import HOLDING
from .models import Activity, Booking, Enrolment, EnrolStatus, Session

RESIDENT_LOGIN = "/accounts/resident/"
FEED_SALT = "shequ.venues.feed"


def _community(user) -> Area | None:
    home = home_area_for(user)
    if home is None:
        return None
    return services.ancestor_at(home, (AreaLevel.COMMUNITY, AreaLevel.STREET))


def activity_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    city = request.GET.get("scope") == "city"
    area = None if city else _community(request.user)
    rows = list(selectors.activities_upcoming(area=area, now=now)[:100])
    return render(request, "venues/activities_list.html", {"rows": rows, "area": area, "city": city})


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = Activity.objects.filter(pk=pk, is_published=True).select_related("area").first()
    if activity is None:
        raise Http404
    mine = None
    if request.user.is_authenticated:
        mine = (
            Enrolment.objects.filter(activity=activity, person=cast(User, request.user))
            .exclude(status=EnrolStatus.CANCELLED)
            .first()
        )
    sessions = list(activity.sessions.all())
    return render(
        request,
        "venues/activity_detail.html",
        {
            "a": activity,
            "sessions": sessions,
            "mine": mine,
            "left": max(activity.capacity - activity.taken, 0),
            "open": activities.enrol_open(activity, timezone.now()),
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def activity_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    activity = Activity.objects.filter(pk=pk, is_published=True).first()
    if activity is None:
        raise Http404
    try:
        e = activities.enrol(actor=cast(User, request.user), activity=activity)
    except ShequError as exc:
        messages.error(request, exc.message)
        return redirect("venues:activity", pk=pk)
    messages.success(
        request,
        _("You are signed up.")
        if e.status == EnrolStatus.CONFIRMED
        else _("All places are taken: you are on the waiting list."),
    )
    return redirect("venues:my_activities")


def feed_token(user: User) -> str:
    return signing.Signer(salt=FEED_SALT).sign(str(user.pk))


@login_required(login_url=RESIDENT_LOGIN)
def my_activities(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    rows = list(
        Enrolment.objects.filter(person=user)
        .exclude(status=EnrolStatus.CANCELLED)
        .select_related("activity")
        .order_by("activity__first_start")
    )
    now = timezone.now()
    for e in rows:
        e.may_cancel = activities.cancel_open(e.activity, now)  # type: ignore[attr-defined]
    feed = request.build_absolute_uri(reverse("venues:feed_me", args=[feed_token(user)]))
    return render(request, "venues/activities_mine.html", {"rows": rows, "feed": feed})


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def my_activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    enrolment = Enrolment.objects.filter(pk=pk, person=user).first()
    if enrolment is None:
        raise Http404
    try:
        activities.enrol_cancel(actor=user, enrolment=enrolment)
        messages.success(request, _("Your sign-up is cancelled."))
    except ShequError as exc:
        messages.error(request, exc.message)
    return redirect("venues:my_activities")


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def attend(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("t") or request.POST.get("t") or ""
    try:
        session = activities.session_from_token(token)
    except ShequError:
        raise Http404 from None
    done = None
    if request.method == "POST":
        try:
            done = activities.attend(actor=cast(User, request.user), token=token)
        except ShequError as exc:
            messages.error(request, exc.message)
    return render(request, "venues/activity_attend.html", {"session": session, "token": token, "done": done})


# --- feeds ----------------------------------------------------------------------------------------------------
def _session_events(sessions, request: HttpRequest) -> list[ical.Event]:
    return [
        ical.Event(
            uid=f"session-{s.pk}@shequ",
            start=s.start,
            end=s.end,
            summary=s.activity.title,
            location=s.activity.place,
            description=s.activity.description[:500],
            url=request.build_absolute_uri(reverse("venues:activity", args=[s.activity_id])),
        )
        for s in sessions
    ]


def _ics(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


def feed_community(request: HttpRequest, code: str) -> HttpResponse:
    """A community's (or any area's) published activities, the last 30 days and all to come: public."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404
    now = timezone.now()
    sessions = (
        Session.objects.filter(
            activity__is_published=True,
            activity__area__path__prefix=area.path,
            end__gte=now - timedelta(days=30),
        )
        .select_related("activity")
        .order_by("start")[:2000]
    )
    return _ics(ical.calendar(f"{area.name} 社区活动", _session_events(sessions, request), stamp=now), code)


def feed_me(request: HttpRequest, token: str) -> HttpResponse:
    """A person's own calendar: his activities and his venue bookings. The address is the credential (a calendar
    application cannot sign in): a signed token of the person, shown only to him on /me/activities/."""
    try:
        pk = int(signing.Signer(salt=FEED_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise Http404
    now = timezone.now()
    since = now - timedelta(days=30)
    sessions = (
        Session.objects.filter(
            activity__enrolments__person=user,
            activity__enrolments__status=EnrolStatus.CONFIRMED,
            end__gte=since,
        )
        .select_related("activity")
        .order_by("start")[:1000]
    )
    events = _session_events(sessions, request)
    for b in Booking.objects.filter(person=user, status__in=HOLDING, end__gte=since).select_related("venue")[
        :1000
    ]:
        events.append(
            ical.Event(
                uid=f"booking-{b.pk}@shequ",
                start=b.start,
                end=b.end,
                summary=b.venue.name,
                location=b.venue.name,
            )
        )
    return _ics(ical.calendar("我的社区日程", events, stamp=now), "me")


# --- console --------------------------------------------------------------------------------------------------
@require_action(Action.VENUES_MANAGE)
def console_activities(request: HttpRequest) -> HttpResponse:
    rows = (
        visible_to(Activity.objects.all(), request.user, Action.VENUES_MANAGE)
        .filter(sessions__end__gte=timezone.now() - timedelta(days=7))
        .distinct()
        # distinct: the sessions filter above joins one row per session, which a plain Count multiplied.
        .annotate(
            waiting=Count("enrolments", filter=Q(enrolments__status=EnrolStatus.WAITLISTED), distinct=True)
        )
        .select_related("area")
        .order_by("first_start")[:200]
    )
    return render(request, "venues/console_activities.html", {"rows": rows})


@require_action(Action.VENUES_MANAGE)
def console_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = (
        visible_to(Activity.objects.all(), request.user, Action.VENUES_MANAGE)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.annotate(present=Count("attendances")))
        )
        .first()
    )
    if activity is None:
        raise Http404
    base = request.build_absolute_uri(reverse("venues:attend"))
    sessions = [
        {
            "s": s,
            "qr": qr_svg(f"{base}?t={activities.attend_token(s)}", scale=3),
        }
        for s in activity.sessions.all()
    ]
    people = list(
        Enrolment.objects.filter(activity=activity)
        .exclude(status=EnrolStatus.CANCELLED)
        .select_related("person")
    )
    return render(
        request, "venues/console_activity.html", {"a": activity, "sessions": sessions, "people": people}
    )
