"""Console pages for venue managers (venues.manage over the venue's area): the venues they keep, a new venue and
its edit page (issue 25), a day's bookings with approve / reject / check in at the desk / cancel, and the venue's
check-in QR code. Out of scope is 404."""

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
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.qr import qr_svg

from . import forms, rules, selectors, services, workflow
from . import photos as venue_photos
from .choices import BADGE, HOLDING, BookingStatus
from .models import Venue
from .views import _day


@require_action(Action.VENUES_MANAGE)
def venue_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = datetime.combine(today, time(0), tzinfo=rules.TZ)
    venues = (
        selectors.venue_list_for(user=request.user)
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
        .order_by("-is_active", "area__path", "name")[:300]
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


# --- a new venue, a venue's edit page -----------------------------------------------------------------------------
# A service names the fields it refuses by the model's names; the form asks for the price in yuan.
_FORM_FIELD = {"price_cents": "price_yuan"}


def _place_refusal(e: ShequError, parts: list) -> None:
    """The service's sentence next to the field it names, in whichever part of the form holds it."""
    e.fields = {_FORM_FIELD.get(k, k): v for k, v in e.fields.items()}
    holders = [f for f in parts if any(name in f.fields for name in e.fields)]
    for f in holders or parts[:1]:
        f.add_service_errors(e)


def _venue_form(
    request: HttpRequest, *, venue=None, heading: str, submit: str, save, done: str
) -> HttpResponse:
    """GET: the form. POST: the service saves and the manager lands on the venue's day page with a message; a
    refusal shows the page again (400) with everything typed and the reason next to its field."""
    user = cast(User, request.user)
    post = request.method == "POST"
    blank = Venue() if venue is None else venue
    initial = forms.initial_of(blank)
    main = forms.VenueForm(
        request.POST if post else None,
        facilities=selectors.facilities_for_manager(user=user),
        editing=venue is not None,
        initial=initial,
    )
    rule_form = forms.RulesForm(request.POST if post else None, initial=initial)
    photo_form = forms.PhotosForm(request.POST if post else None, request.FILES if post else None)
    parts = [main, rule_form, photo_form]
    removing = request.POST.getlist("remove_photos") if post else []
    if post and all([f.is_valid() for f in parts]):
        try:
            saved = save(forms.venue_fields(main, rule_form), photo_form.cleaned_data["photos"], removing)
        except ShequError as e:
            _place_refusal(e, parts)
        else:
            messages.success(request, done % {"name": saved.name})
            return redirect("venues:console_day", saved.pk)
    refused = any(f.errors for f in parts)
    return render(
        request,
        "venues/console_form.html",
        {
            "heading": heading,
            "submit": submit,
            "venue": venue,
            "main": main,
            "rules": rule_form,
            "photo_form": photo_form,
            "photos": [
                {"name": name, "url": venue_photos.photo_url(venue, name), "removing": name in removing}
                for name in (venue.photos if venue is not None else [])
            ],
            "refused": refused,
            "photos_again": refused and bool(request.FILES.getlist("photos")),
        },
        status=400 if refused else 200,
    )


@require_action(Action.VENUES_MANAGE)
@require_http_methods(["GET", "POST"])
def venue_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return _venue_form(
        request,
        heading=_("New venue"),
        submit=_("Save the venue"),
        save=lambda fields, photos, _removing: services.venue_create(actor=user, photos=photos, **fields),
        done=_("The venue %(name)s is saved; residents can book it now."),
    )


@require_action(Action.VENUES_MANAGE)
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    venue = selectors.venue_get_for(user=user, pk=pk)
    return _venue_form(
        request,
        venue=venue,
        heading=_("Edit venue"),
        submit=_("Save the changes"),
        save=lambda fields, photos, removing: services.venue_update(
            actor=user, venue=venue, photos_add=photos, photos_remove=removing, **fields
        ),
        done=_("The changes to %(name)s are saved."),
    )
