"""Portal pages (phone first, elder mode): find a venue, see a day's slots, book, cancel, check in by the venue's
QR code, a team's recurring booking, the waiting list. Thin: form → service → page; errors shown as the service
words them, nothing written."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.access.scoping import home_area_for
from shequ.accounts.models import User
from shequ.core.errors import NotFound, ShequError
from shequ.core.uploads import image_response
from shequ.core.workdays import get_calendar
from shequ.geo.models import Area

from . import draws, rules, selectors, services, workflow
from . import photos as venue_photos
from .choices import BADGE, BookingStatus
from .models import Booking, WaitlistEntry, WaitStatus

RESIDENT_LOGIN = "/accounts/resident/"


def _day(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    today = timezone.localdate()
    return min(max(day, today - timedelta(days=1)), today + timedelta(days=60))


def venue_list(request: HttpRequest) -> HttpResponse:
    """Venues near home by default (the signed-in resident's street), or under any area code."""
    code = request.GET.get("area", "").strip()
    area = Area.objects.filter(code=code).first() if code else None
    if area is None:
        home = home_area_for(request.user)
        area = services.ancestor_at(home, services.STREET_OR_ABOVE) if home is not None else None
    venues = list(selectors.venue_list(area=area)[:200])
    return render(request, "venues/portal_list.html", {"venues": venues, "area": area})


def venue_day(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(pk=pk)
    day = _day(request)
    slots = selectors.availability(venue=venue, day=day, user=request.user)
    days = [timezone.localdate() + timedelta(days=i) for i in range(min(venue.max_notice_days, 14) + 1)]
    open_draws = list(
        venue.draws.filter(status="open", start__date__gte=timezone.localdate()).order_by("start")[:10]
    )
    teams = list(selectors.teams_led_by(user=request.user)) if request.user.is_authenticated else []
    return render(
        request,
        "venues/portal_day.html",
        {
            "venue": venue,
            "day": day,
            "slots": slots,
            "days": days,
            "draws": open_draws,
            "teams": teams,
            "photos": venue_photos.photo_urls(venue),
        },
    )


@require_GET
def venue_photo(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """A photo of a venue, public like the venue; an inactive venue's only to those who manage it. Served as the
    image it is, never as a page (shequ.core.uploads.image_response)."""
    try:
        venue = selectors.venue_get(pk=pk)
    except NotFound:
        venue = selectors.venue_get_for(user=request.user, pk=pk)
    content, content_type = venue_photos.photo_read(venue, name)
    return image_response(content=content, content_type=content_type, name=name)


def _parse_span(request: HttpRequest) -> tuple[datetime, datetime]:
    try:
        start = datetime.fromisoformat(request.POST["start"])
        end = datetime.fromisoformat(request.POST["end"])
    except (KeyError, ValueError):
        raise ShequError(_("Choose a slot from the list."), code="invalid") from None
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ShequError(_("Choose a slot from the list."), code="invalid")
    return start, end


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def venue_book(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(pk=pk)
    user = cast(User, request.user)
    back = f"{reverse('venues:day', args=[venue.pk])}"
    try:
        start, end = _parse_span(request)
        back += f"?date={timezone.localtime(start).date().isoformat()}"
        people = int(request.POST.get("people") or 1)
        services.booking_create(
            actor=user,
            venue=venue,
            start=start,
            end=end,
            people=people,
            purpose=request.POST.get("purpose", ""),
        )
    except ValueError:
        messages.error(request, _("Enter the number of people as a whole number."))
        return redirect(back)
    except ShequError as e:
        messages.error(request, e.message)
        return redirect(back)
    messages.success(
        request,
        _("Booked: %(venue)s, %(when)s.")
        % {"venue": venue.name, "when": timezone.localtime(start).strftime("%m-%d %H:%M")},
    )
    return redirect("venues:my_bookings")


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def venue_wait(request: HttpRequest, pk: int) -> HttpResponse:
    """Join the waiting list of a taken slot, or apply for a slot's draw."""
    venue = selectors.venue_get(pk=pk)
    user = cast(User, request.user)
    try:
        if request.POST.get("draw"):
            draw = venue.draws.filter(pk=int(request.POST["draw"])).first()
            if draw is None:
                raise Http404
            draws.draw_apply(actor=user, draw=draw)
            messages.success(request, _("You have applied for the draw."))
        else:
            start, end = _parse_span(request)
            draws.waitlist_join(actor=user, venue=venue, start=start, end=end)
            messages.success(
                request, _("You are on the waiting list. If the slot frees, it is held for you.")
            )
    except (ShequError, ValueError) as e:
        messages.error(request, getattr(e, "message", _("Choose a slot from the list.")))
        return redirect("venues:day", pk=venue.pk)
    return redirect("venues:my_bookings")


@login_required(login_url=RESIDENT_LOGIN)
def my_bookings(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for b in selectors.booking_list_mine(user=request.user)[:100]:
        actions = workflow.actions_for(b.status, workflow.PERSON)
        deadline = services.cancel_deadline(b)
        if "cancel" in actions and now > deadline:
            actions.remove("cancel")  # the page offers only what the service would accept
        if "check_in" in actions:
            actions.remove("check_in")  # by the venue's QR code only
        rows.append(
            {
                "b": b,
                "badge": BADGE.get(BookingStatus(b.status), "secondary"),
                "actions": [(a, workflow.LABELS[a]) for a in actions],
                "deadline": deadline,
                "upcoming": b.end > now,
            }
        )
    waiting = WaitlistEntry.objects.filter(
        person=cast(User, request.user), status=WaitStatus.WAITING
    ).select_related("venue")
    ban = services.active_ban(cast(User, request.user), now)
    teams = list(selectors.teams_led_by(user=request.user))
    return render(
        request,
        "venues/portal_mine.html",
        {"rows": rows, "waiting": list(waiting), "ban": ban, "teams": teams},
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def my_booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = cast(User, request.user)
    booking = Booking.objects.filter(pk=pk, person=user).first()
    if booking is None or action not in ("cancel", "accept"):
        raise Http404
    try:
        if action == "cancel":
            services.booking_cancel(actor=user, booking=booking)
            messages.success(request, _("The booking is cancelled."))
        else:
            draws.offer_accept(actor=user, booking=booking)
            messages.success(request, _("The slot is yours."))
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("venues:my_bookings")


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    """What the venue's QR code opens: the person confirms, and his booking there is checked in."""
    token = request.GET.get("t") or request.POST.get("t") or ""
    try:
        venue = services.venue_from_token(token)
    except ShequError:
        raise Http404 from None
    done = None
    if request.method == "POST":
        try:
            done = services.booking_check_in(actor=cast(User, request.user), token=token)
        except ShequError as e:
            messages.error(request, e.message)
    return render(request, "venues/portal_checkin.html", {"venue": venue, "token": token, "done": done})


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest) -> HttpResponse:
    """A team leader books the same time every week for some weeks: all or nothing."""
    user = cast(User, request.user)
    teams = list(selectors.teams_led_by(user=user))
    if not teams:
        raise Http404
    venue = selectors.venue_get(pk=int(request.GET.get("venue") or request.POST.get("venue") or 0))
    form = {"team": "", "date": "", "time": "", "weeks": "8", "purpose": ""}
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form})
        try:
            team = next((t for t in teams if str(t.pk) == form["team"]), None)
            if team is None:
                raise ShequError(_("Choose one of your teams."), code="invalid")
            try:
                first = datetime.fromisoformat(f"{form['date']}T{form['time']}").replace(tzinfo=rules.TZ)
                weeks = int(form["weeks"])
            except ValueError:
                raise ShequError(_("Enter a date, a time and a number of weeks."), code="invalid") from None
            series = services.series_create(
                actor=user,
                venue=venue,
                team=team,
                first_start=first,
                minutes=venue.slot_minutes,
                weeks=weeks,
                purpose=form["purpose"],
            )
        except ShequError as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                _("%(team)s booked %(venue)s every %(weekday)s at %(time)s for %(n)d weeks.")
                % {
                    "team": series.team.name,
                    "venue": venue.name,
                    "weekday": _weekday(first),
                    "time": first.strftime("%H:%M"),
                    "n": series.weeks,
                },
            )
            return redirect("venues:my_bookings")
    slot_times = sorted(
        {
            timezone.localtime(a).strftime("%H:%M")
            for a, _b in rules.slots(services.layout_of(venue), _week_spans(venue))
        }
    )
    return render(
        request,
        "venues/portal_series.html",
        {"venue": venue, "teams": teams, "form": form, "times": slot_times},
    )


def _week_spans(venue) -> list:
    today, calendar = timezone.localdate(), get_calendar()
    out = []
    for i in range(7):
        out.extend(services.venue_spans(venue, today + timedelta(days=i), calendar))
    return out


def _weekday(d: datetime) -> str:
    names = [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]
    return names[d.weekday()]
