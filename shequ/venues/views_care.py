"""Pages of 托 places: the portal's list of care places near home, one place with its days' places left and the
booking form for a family member, the family's bookings and members; the console's places with today's count, the
day's list at the desk with check-in. Thin: form → shequ.venues.care → page; a refusal keeps what was typed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import home_area_for
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound, ShequError
from shequ.geo.models import Area

from . import care, services
from .choices import CARE_BADGE, CARE_HOLDING, CareKind, CareLevel, CareSession, CareStatus, HalfDay
from .models import CarePlace
from .views import _day

RESIDENT_LOGIN = "/accounts/resident/"
HOURS = [(n, str(n)) for n in range(1, 9)]


class CareBookForm(forms.Form):
    member = forms.TypedChoiceField(
        label=gettext_lazy("Who is cared for"),
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    session = forms.ChoiceField(
        label=gettext_lazy("Session"), widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    half = forms.ChoiceField(
        label=gettext_lazy("Half day"),
        choices=[("", "—"), *HalfDay.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start_at = forms.TimeField(
        label=gettext_lazy("Start at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "step": 1800}),
    )
    hours = forms.TypedChoiceField(
        label=gettext_lazy("Hours"),
        coerce=int,
        choices=HOURS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, place: CarePlace, members, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        member, session, hours = (
            cast(forms.ChoiceField, self.fields[k]) for k in ("member", "session", "hours")
        )
        member.choices = [(m.pk, f"{m.name}（{m.relation}）" if m.relation else m.name) for m in members]
        session.choices = [(k, v) for k, v in CareSession.choices if k in (place.sessions or [])]
        hours.choices = [(n, str(n)) for n in range(1, place.max_hours + 1)]


class CareMemberForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=40, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    relation = forms.CharField(
        label=gettext_lazy("Relation to you"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": gettext_lazy("e.g. mother, son")}
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=CareKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Birth date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    care_level = forms.TypedChoiceField(
        label=gettext_lazy("Assessed care level (elders)"),
        coerce=int,
        choices=[("", "—"), *CareLevel.choices],
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _near(request: HttpRequest) -> Area | None:
    home = home_area_for(request.user)
    return services.ancestor_at(home, services.STREET_OR_ABOVE) if home is not None else None


def care_list(request: HttpRequest) -> HttpResponse:
    """Care places of the resident's street (or the whole city), elder day care or infant care."""
    city = request.GET.get("scope") == "city"
    area = None if city else _near(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in CareKind.values else None
    places = list(care.care_places(area=area, kind=kind)[:200])
    return render(
        request,
        "venues/care_list.html",
        {"places": places, "area": area, "city": city, "kind": kind, "kinds": CareKind.choices},
    )


def _place_page(request: HttpRequest, place: CarePlace, form: CareBookForm | None, status: int = 200):
    today = timezone.localdate()
    days = [today + timedelta(days=i) for i in range(min(place.max_notice_days, 14) + 1)]
    left = care.places_left(place, days)
    rows = [{"day": d, "left": left[d], "open": care.open_span(place, d) is not None} for d in days]
    return render(
        request,
        "venues/care_place.html",
        {
            "place": place,
            "rows": rows,
            "form": form,
            "session_labels": [label for k, label in CareSession.choices if k in (place.sessions or [])],
        },
        status=status,
    )


def _members_for(request: HttpRequest, place: CarePlace):
    if not request.user.is_authenticated:
        return []
    return [m for m in care.care_members_mine(user=request.user) if m.kind == place.kind]


def care_place(request: HttpRequest, pk: int) -> HttpResponse:
    place = care.care_place_get(pk=pk)
    form = None
    members = _members_for(request, place)
    if members:
        initial = {"day": timezone.localdate() + timedelta(days=1), "session": CareSession.FULL_DAY}
        if len(members) == 1:
            initial["member"] = members[0].pk
        form = CareBookForm(place=place, members=members, initial=initial)
    return _place_page(request, place, form)


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def care_book(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    place = care.care_place_get(pk=pk)
    members = _members_for(request, place)
    form = CareBookForm(request.POST, place=place, members=members)
    if not form.is_valid():
        return _place_page(request, place, form, status=400)
    d = form.cleaned_data
    member = next(m for m in members if m.pk == d["member"])
    try:
        care.care_book(
            actor=user,
            place=place,
            member=member,
            day=d["day"],
            session=d["session"],
            half=d["half"] or "",
            start_at=d["start_at"],
            hours=d["hours"] or 0,
        )
    except ShequError as e:
        form.add_error(None, e.message)
        return _place_page(request, place, form, status=409 if e.status == 409 else 400)
    messages.success(request, _("Care is booked."))
    return redirect("venues:care_mine")


@login_required(login_url=RESIDENT_LOGIN)
@require_http_methods(["GET", "POST"])
def care_mine(request: HttpRequest) -> HttpResponse:
    """The family's bookings (cancel until the session begins) and the people it books for (add one)."""
    user = cast(User, request.user)
    form = CareMemberForm()
    status = 200
    # Where to go back after adding someone: only a care place's page (never an address from elsewhere).
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    nxt = nxt if nxt.startswith("/daycare/") else ""
    if request.method == "POST":
        form = CareMemberForm(request.POST)
        if form.is_valid():
            try:
                member = care.care_member_add(actor=user, **form.cleaned_data)
            except ShequError as e:
                for field, _code in (e.fields or {}).items():
                    if field in form.fields:
                        form.add_error(field, _code)
                if not form.errors:
                    form.add_error(None, e.message)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": member.name})
                return redirect(nxt if nxt.startswith("/daycare/") else reverse("venues:care_mine"))
        status = 400
    now = timezone.now()
    rows = [
        {
            "b": b,
            "badge": CARE_BADGE.get(CareStatus(b.status), "secondary"),
            "may_cancel": care.care_cancel_open(b, now),
        }
        for b in care.care_bookings_mine(user=user)[:100]
    ]
    members = list(care.care_members_mine(user=user))
    return render(
        request,
        "venues/care_mine.html",
        {"rows": rows, "members": members, "form": form, "next": nxt},
        status=status,
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def care_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    booking = care.care_bookings_mine(user=user).filter(pk=pk).first()
    if booking is None:
        raise Http404
    try:
        care.care_cancel(actor=user, booking=booking)
        messages.success(request, _("The care booking is cancelled."))
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("venues:care_mine")


# --- console ------------------------------------------------------------------------------------------------------
@require_action(Action.VENUES_MANAGE)
def console_care_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    places = (
        care.care_place_list_for(user=request.user)
        .filter(is_active=True)
        .annotate(
            today=Count("bookings", filter=Q(bookings__day=today, bookings__status__in=CARE_HOLDING)),
            present=Count("bookings", filter=Q(bookings__day=today, bookings__status=CareStatus.CHECKED_IN)),
        )
        .order_by("area__path", "name")[:300]
    )
    return render(request, "venues/console_care_list.html", {"places": places, "today": today})


@require_action(Action.VENUES_MANAGE)
def console_care_day(request: HttpRequest, pk: int) -> HttpResponse:
    place = care.care_place_get_for(user=request.user, pk=pk)
    day: date = _day(request)
    now = timezone.now()
    rows = []
    for b in care.care_day_list(place=place, day=day):
        rows.append(
            {
                "b": b,
                "badge": CARE_BADGE.get(CareStatus(b.status), "secondary"),
                "may_check_in": b.status == CareStatus.BOOKED
                and b.start - timedelta(hours=1) <= now <= b.end,
                "age": care.months_old(b.member.birth_date, day)
                if b.member.kind == CareKind.INFANT
                else care.years_old(b.member.birth_date, day),
            }
        )
    taken = len(rows)
    return render(
        request,
        "venues/console_care_day.html",
        {
            "place": place,
            "day": day,
            "rows": rows,
            "taken": taken,
            "prev": day - timedelta(days=1),
            "next": day + timedelta(days=1),
        },
    )


@require_action(Action.VENUES_MANAGE)
@require_POST
def console_care_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    booking = care.care_booking_get_for(user=user, pk=pk)
    try:
        care.care_check_in(actor=user, booking=booking)
    except NotFound:
        raise Http404 from None
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": booking.member.name})
    return redirect(
        reverse("venues:console_care_day", args=[booking.place_id]) + f"?date={booking.day.isoformat()}"
    )
