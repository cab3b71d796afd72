"""Facility upkeep in the console (issue 21): the list of one's areas on a map, add and edit. Thin: form →
shequ.facilities.services (scoped, audited) → page; out of scope is 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from shequ.access.decorators import require_action
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError

from . import services
from .choices import WEEKDAYS, HolidayRule
from .hours import day_text, parse_day_text
from .models import Facility, FacilityType

# Monday first, as WEEKDAYS; the catalogue says them in Chinese (周一 …).
DAY_NAMES = [WEEKDAY_NAMES[i] for i in range(7)]


class FacilityForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("of a place or thing", "Name"), max_length=120)
    type = forms.ChoiceField(label=gettext_lazy("Type"))
    area = forms.CharField(label=gettext_lazy("Area code"), max_length=19)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Service phone"), max_length=30, required=False)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), widget=forms.HiddenInput)
    lng = forms.FloatField(label=gettext_lazy("Longitude"), widget=forms.HiddenInput)
    accessible = forms.ChoiceField(
        label=gettext_lazy("Barrier-free"), choices=[("0", gettext_lazy("No")), ("1", gettext_lazy("Yes"))]
    )
    is_active = forms.ChoiceField(
        label=gettext_lazy("State"), choices=[("1", gettext_lazy("Active")), ("0", gettext_lazy("Disabled"))]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            (t.code, t.name) for t in FacilityType.objects.filter(is_active=True).order_by("sort", "code")
        ]

    def data_for(self, facility: Facility | None, hours_form: HoursForm | None) -> services.FacilityData:
        """hours_form None: a post without the hours fields (an older page) keeps the facility's hours."""
        c = self.cleaned_data
        return services.FacilityData(
            name=c["name"],
            type=c["type"],
            area=c["area"].strip(),
            lat=c["lat"],
            lng=c["lng"],
            address=c["address"],
            phone=c["phone"],
            hours=hours_form.hours() if hours_form else (facility.hours if facility else {}),
            holiday_rule=(
                hours_form.cleaned_data["holiday_rule"]
                if hours_form
                else (facility.holiday_rule if facility else HolidayRule.AS_USUAL)
            ),
            holiday_note=(
                hours_form.cleaned_data["holiday_note"]
                if hours_form
                else (facility.holiday_note if facility else "")
            ),
            services=facility.services if facility else [],
            accessible=c["accessible"] == "1",
        )


class HoursForm(forms.Form):
    """Opening hours, a line per weekday as people write them ("08:30-12:00, 14:00-18:00", 全天, empty = closed),
    the holiday rule and a note (issue 21). Parsed by hours.parse_day_text, checked again by the service."""

    holiday_rule = forms.ChoiceField(label=gettext_lazy("On public holidays"), choices=HolidayRule.choices)
    holiday_note = forms.CharField(label=gettext_lazy("Holiday note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for i, day in enumerate(WEEKDAYS):
            self.fields[f"hours_{day}"] = forms.CharField(label=DAY_NAMES[i], max_length=100, required=False)
        self.order_fields([f"hours_{d}" for d in WEEKDAYS] + ["holiday_rule", "holiday_note"])

    @staticmethod
    def initial_for(facility: Facility | None) -> dict:
        if facility is None:
            return {"holiday_rule": HolidayRule.AS_USUAL}
        return {
            **{f"hours_{d}": day_text(facility.hours.get(d, [])) for d in WEEKDAYS},
            "holiday_rule": facility.holiday_rule,
            "holiday_note": facility.holiday_note,
        }

    def hours(self) -> dict:
        """The structure of shequ.facilities.hours; ShequError naming the day when a line cannot be read."""
        return {
            day: parse_day_text(self.cleaned_data.get(f"hours_{day}", ""), day=day, label=str(DAY_NAMES[i]))
            for i, day in enumerate(WEEKDAYS)
        }


def _errors(form: forms.Form, e: ShequError) -> None:
    if "phone" in e.fields:
        # A refused number may be a person's mobile: it is not shown back (personal data, masked everywhere).
        data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict on a POST
        data["phone"] = ""
        form.data = data
    form.add_error(None, e.message)
    for name, text in e.fields.items():
        if name in form.fields and not form.fields[name].widget.is_hidden:
            form.add_error(name, str(text))
        else:
            form.add_error(None, str(text))


@require_action(Action.FACILITIES_MANAGE)
def facility_list(request: HttpRequest) -> HttpResponse:
    rows = list(services.facility_list_for(user=request.user).order_by("area__path", "name")[:500])
    points = [
        {"name": f.name, "lat": f.lat, "lng": f.lng, "url": f"/console/facilities/{f.pk}/"} for f in rows
    ]
    return render(request, "facilities/console_list.html", {"rows": rows, "points": points})


@require_action(Action.FACILITIES_MANAGE)
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    facility = get_object_or_404(services.facility_list_for(user=request.user), pk=pk) if pk else None
    initial = {"accessible": "0", "is_active": "1"}
    if facility is not None:
        initial = {
            "name": facility.name,
            "type": facility.type.code,
            "area": facility.area.code,
            "address": facility.address,
            "phone": facility.phone,
            "lat": facility.lat,
            "lng": facility.lng,
            "accessible": "1" if facility.accessible else "0",
            "is_active": "1" if facility.is_active else "0",
        }
    form = FacilityForm(request.POST or None, initial=initial)
    posted_hours = request.method == "POST" and any(k.startswith("h-") for k in request.POST)
    hours_form = HoursForm(
        request.POST if posted_hours else None, initial=HoursForm.initial_for(facility), prefix="h"
    )
    if request.method == "POST":
        if not form.is_valid() and ("lat" in form.errors or "lng" in form.errors):
            form.add_error(None, _("Tap the map to place the facility."))
        if form.is_valid() and (not posted_hours or hours_form.is_valid()):
            used = hours_form if posted_hours else None
            try:
                if facility is None:
                    facility = services.facility_add(actor=request.user, data=form.data_for(None, used))
                else:
                    services.facility_update(
                        actor=request.user,
                        facility=facility,
                        data=form.data_for(facility, used),
                        is_active=form.cleaned_data["is_active"] == "1",
                    )
            except ShequError as e:
                if any(k.startswith("hours") for k in e.fields):
                    hours_form.add_error(None, e.message)
                    for name in e.fields:
                        if name in hours_form.fields:
                            hours_form.add_error(name, e.message)
                else:
                    _errors(form, e)
            else:
                messages.success(request, _("The facility is saved."))
                return redirect("facilities:console_edit", pk=facility.pk)
    return render(
        request,
        "facilities/console_form.html",
        {"form": form, "hours_form": hours_form, "facility": facility},
        status=400 if form.errors or hours_form.errors else 200,
    )
