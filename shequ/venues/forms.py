"""The console's venue form (issue 25), in three parts shown as three groups on one page: the venue, its booking
rules, its photos. The forms check types and choices; `services.venue_check` checks the rules (a slot of at least
15 minutes, a longest booking that holds a slot …) and says why in one sentence, next to the field it names."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.forms import StyledForm

from .choices import PriceUnit, SlotMode, VenueKind, WhoMayBook
from .models import Venue

IMAGE_TYPES = "image/jpeg,image/png,image/webp"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; an empty list when none was chosen."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": IMAGE_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class FacilityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.area.name} · {obj.name}"


class VenueForm(StyledForm):
    facility = FacilityChoice(
        queryset=None,
        label=_("Facility"),
        empty_label=_("Choose…"),
        help_text=_("The venue's area and opening hours are the facility's."),
    )
    name = forms.CharField(label=pgettext_lazy("venue", "Name of the venue"), max_length=120)
    kind = forms.ChoiceField(label=pgettext_lazy("venue", "Kind of venue"), choices=VenueKind.choices)
    capacity = forms.IntegerField(label=_("Capacity (people)"))
    price_yuan = forms.DecimalField(
        label=_("Price (yuan)"), max_digits=9, decimal_places=2, help_text=_("0 means free.")
    )
    price_unit = forms.ChoiceField(label=_("Charged"), choices=PriceUnit.choices)
    description = forms.CharField(
        label=pgettext_lazy("venue", "Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_active = forms.BooleanField(label=_("Open for booking"), required=False)

    def __init__(self, *args, facilities, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]
        if not editing:
            del self.fields["is_active"]  # a new venue is open for booking; closing it is an edit


class RulesForm(StyledForm):
    slot_mode = forms.ChoiceField(label=_("How a day is cut"), choices=SlotMode.choices)
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), help_text=_("At least 15 minutes."))
    max_length_minutes = forms.IntegerField(
        label=_("Longest booking (minutes)"), help_text=_("At least one slot.")
    )
    who_may_book = forms.ChoiceField(label=_("Who may book"), choices=WhoMayBook.choices)
    min_notice_minutes = forms.IntegerField(label=_("Book at least (minutes ahead)"))
    max_notice_days = forms.IntegerField(label=_("Book at most (days ahead)"))
    cancel_deadline_minutes = forms.IntegerField(label=_("Cancel until (minutes before)"))
    checkin_opens_minutes = forms.IntegerField(label=_("Check-in opens (minutes before)"))
    release_after_minutes = forms.IntegerField(label=_("Released without check-in after (minutes)"))
    hold_minutes = forms.IntegerField(label=_("A freed slot is held for (minutes)"))
    teams_may_book = forms.BooleanField(label=_("Teams may book"), required=False)
    needs_approval = forms.BooleanField(label=_("Bookings need approval"), required=False)


class PhotosForm(StyledForm):
    photos = MultipleFileField(
        label=_("Add photos"),
        required=False,
        # MAX_PHOTOS and uploads.MAX_IMAGE_BYTES, written out: a lazy text cannot be formatted at import.
        help_text=_("Up to 6 photos in all: JPEG, PNG or WebP, at most 8 MB each."),
    )


RULE_FIELDS = tuple(RulesForm.base_fields)
MAIN_FIELDS = ("facility", "name", "kind", "capacity", "price_unit", "description", "is_active")


def initial_of(venue: Venue) -> dict:
    """A venue's values as the forms show them (a new venue's are the model's defaults); the price in yuan."""
    values = {k: getattr(venue, k) for k in (*MAIN_FIELDS, *RULE_FIELDS) if k != "facility"}
    if venue.facility_id:
        values["facility"] = venue.facility_id
    values["price_yuan"] = Decimal(venue.price_cents) / 100
    return values


def venue_fields(main: VenueForm, rules: RulesForm) -> dict:
    """The service's keyword arguments from the two valid forms: the price from yuan to fen."""
    data = {**main.cleaned_data, **rules.cleaned_data}
    yuan = data.pop("price_yuan")
    data["price_cents"] = int((yuan * 100).to_integral_value())
    return data
