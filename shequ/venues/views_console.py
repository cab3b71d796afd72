"""Console pages for venue managers (venues.manage over the venue's area): the venues they keep, a day's bookings
with approve / reject / check in at the desk / cancel, and the venue's check-in QR code. Out of scope is 404."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import cast

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.access.decorators import require_action
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.qr import qr_svg

from . import rules, selectors, services, workflow
from .choices import BADGE, HOLDING, BookingStatus
from .views import _day


@require_action(Action.VENUES_MANAGE)
def venue_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = datetime.combine(today, time(0), tzinfo=rules.TZ)
    venues = (
        selectors.venue_list_for(user=request.user)
        .filter(is_active=True)
        .annotate(
            today=Count(
                "bookings",
                filter=Q(
                    bookings__start__gte=start,
                    bookings__start__lt=start + timedelta(days=1),
                    bookings__status__in=[*HOLDING, BookingStatus.NO_SHOW],
                ),
            ),
            pending=Count("bookings", filter=Q(bookings__status=BookingStatus.PENDING)),
        )
        .order_by("area__path", "name")[:300]
    )
    return render(request, "venues/console_list.html", {"venues": venues})


@require_action(Action.VENUES_MANAGE)
def venue_day(request: HttpRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get_for(user=request.user, pk=pk)
    day = _day(request)
    rows = []
    for b in selectors.day_bookings(venue=venue, day=day):
        actions = [a for a in workflow.actions_for(b.status, workflow.MANAGER) if a != "accept"]
        rows.append({"b": b, "badge": BADGE.get(BookingStatus(b.status), "secondary"), "actions": actions})
    checkin_url = (
        request.build_absolute_uri(reverse("venues:checkin")) + "?t=" + services.checkin_token(venue)
    )
    return render(
        request,
        "venues/console_day.html",
        {
            "venue": venue,
            "day": day,
            "rows": rows,
            "labels": workflow.LABELS,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "qr": qr_svg(checkin_url),
            "checkin_url": checkin_url,
        },
    )


@require_action(Action.VENUES_MANAGE)
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = cast(User, request.user)
    booking = selectors.booking_get_for(user=user, pk=pk)
    if not services.can_manage(user, booking.venue):
        from django.http import Http404

        raise Http404
    try:
        if action == "cancel":
            services.booking_cancel(actor=user, booking=booking)
        else:
            services.booking_decide(actor=user, booking=booking, action=action)
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow.LABELS.get(action, action)})
    day = timezone.localtime(booking.start).date().isoformat()
    return redirect(reverse("venues:console_day", args=[booking.venue_id]) + f"?date={day}")
