"""The console's forms of emergency management: they check what a form can (types, lengths, ranges, choices
limited to the user's areas and plans); the services check the rest and write (STYLE.md §1)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.forms import StyledForm, UnechoedTelInput

from .choices import Hazard

ROLE_ROWS = 5  # contact roles on one plan form; rows left empty are ignored
ROLE_FIELDS = ("role", "name", "phone", "duty")


def _area_choices(areas) -> list[tuple[str, object]]:
    # A community is indented under its street in the list, as on the warning form.
    return [("", _("Choose…"))] + [
        (a.code, f"　{a.name}" if a.level == "community" else a.name) for a in areas
    ]


class AreaForm(StyledForm):
    area = forms.ChoiceField(label=_("Area"))

    def __init__(self, *args, areas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.areas = {a.code: a for a in areas}
        self.fields["area"].choices = _area_choices(areas)  # type: ignore[attr-defined]

    def chosen_area(self):
        return self.areas[self.cleaned_data["area"]]


class PlanForm(AreaForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    hazard = forms.ChoiceField(label=_("Type of emergency"), choices=[("", _("Choose…")), *Hazard.choices])
    summary = forms.CharField(
        label=pgettext_lazy("emergency plan", "Summary"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["title", "hazard", "area", "summary"]


class RoleForm(StyledForm):
    """One contact role of a plan (总指挥, 转移安置组 …): an empty row is ignored, a started one needs role and name.
    The phone is personal data: stored encrypted, shown masked in the console."""

    role = forms.CharField(label=pgettext_lazy("emergency plan", "Role"), max_length=40, required=False)
    name = forms.CharField(label=pgettext_lazy("emergency plan", "Person"), max_length=50, required=False)
    phone = forms.CharField(
        label=pgettext_lazy("emergency plan", "Phone"),
        max_length=20,
        required=False,
        widget=UnechoedTelInput(attrs={"autocomplete": "off"}),
    )
    duty = forms.CharField(label=_("Duty"), max_length=200, required=False)
    was = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def has_content(self) -> bool:
        return any((self.cleaned_data.get(k) or "").strip() for k in ROLE_FIELDS)

    def clean(self) -> dict:
        data = super().clean() or {}
        if self.has_content():
            for name in ("role", "name"):
                if not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        return data


RoleFormSet = forms.formset_factory(RoleForm, extra=ROLE_ROWS, max_num=ROLE_ROWS, validate_max=True)


class PlanEditForm(StyledForm):
    """A plan's wording (its area stays: a plan for another area is a new plan)."""

    title = forms.CharField(label=_("Title"), max_length=100)
    hazard = forms.ChoiceField(label=_("Type of emergency"), choices=Hazard.choices)
    summary = forms.CharField(
        label=pgettext_lazy("emergency plan", "Summary"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ShelterForm(AreaForm):
    name = forms.CharField(label=_("Name of the shelter"), max_length=120)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(
        label=_("Latitude (WGS84)"), min_value=-90, max_value=90, help_text=_("For example 22.5431")
    )
    lng = forms.FloatField(
        label=_("Longitude (WGS84)"), min_value=-180, max_value=180, help_text=_("For example 113.9345")
    )
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=1_000_000)

    field_order = ["name", "area", "address", "lat", "lng", "capacity"]


class OccupancyForm(StyledForm):
    occupied = forms.IntegerField(label=_("People sheltered now"), min_value=0)
    is_open = forms.BooleanField(label=_("The shelter is open"), required=False)


class SupplyForm(AreaForm):
    name = forms.CharField(label=_("Name of the supply"), max_length=60)
    unit = forms.CharField(
        label=pgettext_lazy("of measure", "Unit"), max_length=10, help_text=_("For example 件, 箱, 个")
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=10_000_000)
    minimum = forms.IntegerField(
        label=_("Minimum stock"), min_value=0, max_value=10_000_000, initial=0, required=False
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    location = forms.CharField(label=_("Kept at"), max_length=120, required=False)

    field_order = ["name", "area", "unit", "quantity", "minimum", "expires_on", "location"]


class StockForm(StyledForm):
    """A supply's stock count: what is there now, the minimum to keep, its expiry and where it is kept."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=10_000_000)
    minimum = forms.IntegerField(label=_("Minimum stock"), min_value=0, max_value=10_000_000)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    location = forms.CharField(label=_("Kept at"), max_length=120, required=False)


class DrillForm(StyledForm):
    held_on = forms.DateField(
        label=pgettext_lazy("drill", "Held on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=1_000_000)
    record = forms.CharField(
        label=pgettext_lazy("drill", "Record"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was practised, how long it took, what went wrong and what will change."),
    )
