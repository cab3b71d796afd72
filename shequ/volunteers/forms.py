"""Forms of the volunteer pages: they only parse; the services validate and decide."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.masking import mask_name

from .choices import DAY_PARTS, WEEKDAY_NAMES, RecordKind, TeamKind, slot_key
from .models import Skill

BIG = {"class": "form-control form-control-lg"}
CHECK = {"class": "form-check-input"}
SELECT = {"class": "form-select form-select-lg"}


def skill_choices() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in Skill.objects.order_by("sort", "code")]


def slot_choices() -> list[tuple[str, str]]:
    return [
        (slot_key(d, p), f"{WEEKDAY_NAMES[d]}{DAY_PARTS[p][1]}")
        for d in range(7)
        for p in range(len(DAY_PARTS))
    ]


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Real name"), max_length=50, widget=forms.TextInput(attrs=BIG))
    id_number = forms.CharField(label=_("ID number"), max_length=30, widget=forms.TextInput(attrs=BIG))
    phone = forms.CharField(label=_("Mobile phone"), max_length=30, widget=forms.TextInput(attrs=BIG))
    area = forms.ChoiceField(label=_("Your community"), widget=forms.Select(attrs=SELECT))
    skills = forms.MultipleChoiceField(
        label=_("What you can do"), required=False, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )
    availability = forms.MultipleChoiceField(
        label=_("When you are available"), required=False, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )
    emergency_name = forms.CharField(
        label=_("Emergency contact"), max_length=50, widget=forms.TextInput(attrs=BIG)
    )
    emergency_phone = forms.CharField(
        label=_("Emergency contact's phone"), max_length=30, widget=forms.TextInput(attrs=BIG)
    )
    guardian_name = forms.CharField(
        label=_("Guardian (under 18)"), max_length=50, required=False, widget=forms.TextInput(attrs=BIG)
    )
    guardian_phone = forms.CharField(
        label=_("Guardian's phone"), max_length=30, required=False, widget=forms.TextInput(attrs=BIG)
    )
    guardian_consent = forms.BooleanField(
        label=_("My guardian agrees"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )

    def __init__(self, *args, communities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Choose"))] + [(a.code, a.name) for a in communities]  # type: ignore[attr-defined]
        self.fields["skills"].choices = skill_choices()  # type: ignore[attr-defined]
        self.fields["availability"].choices = slot_choices()  # type: ignore[attr-defined]


class ActivityForm(forms.Form):
    """The activity itself; its shifts come from ShiftFormSet (one row each, as many as the organiser adds)."""

    team = forms.ChoiceField(label=_("Team"), widget=forms.Select(attrs=SELECT))
    title = forms.CharField(label=_("Title"), max_length=120, widget=forms.TextInput(attrs=BIG))
    description = forms.CharField(
        label=_("About the activity"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    is_group = forms.BooleanField(
        label=_("Group activity (volunteers under 18 may join)"),
        required=False,
        widget=forms.CheckboxInput(attrs=CHECK),
    )
    requires_approval = forms.BooleanField(
        label=_("Sign-ups need my approval"), required=False, widget=forms.CheckboxInput(attrs=CHECK)
    )
    cancel_hours = forms.IntegerField(
        label=_("Cancellation until (hours before the shift)"),
        min_value=0,
        max_value=336,
        initial=24,
        widget=forms.NumberInput(attrs=BIG),
    )

    def __init__(self, *args, teams=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]  # type: ignore[attr-defined]


class ShiftForm(forms.Form):
    """One shift of the activity being published: place, day, from–until, places, required skills."""

    place = forms.CharField(label=_("Place"), max_length=200, widget=forms.TextInput(attrs=BIG))
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={**BIG, "type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={**BIG, "type": "time"}))
    end = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={**BIG, "type": "time"}))
    capacity = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=10_000, initial=10, widget=forms.NumberInput(attrs=BIG)
    )
    skills = forms.MultipleChoiceField(
        label=_("Required skills"), required=False, widget=forms.CheckboxSelectMultiple(attrs=CHECK)
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = skill_choices()  # type: ignore[attr-defined]

    def has_changed(self) -> bool:
        """A row counts once anything but its defaults is filled in: an added row left empty is ignored."""
        return any(
            str(self.data.get(self.add_prefix(f)) or "").strip() for f in ("place", "day", "start", "end")
        )

    def times(self) -> tuple[datetime, datetime]:
        c = self.cleaned_data
        return _aware(c["day"], c["start"]), _aware(c["day"], c["end"])


# At least one shift; rows left empty are ignored; at most 20 on one form.
ShiftFormSet = forms.formset_factory(ShiftForm, extra=0, min_num=1, validate_min=True, max_num=20)
SHIFT_PREFIX = "shift"


class RecordEntryForm(forms.Form):
    """Training, an award or an evaluation for one of the team's volunteers (MCA order 67 Art. 6)."""

    volunteer = forms.ChoiceField(label=_("Volunteer"), widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(label=_("Kind"), choices=RecordKind.choices, widget=forms.Select(attrs=SELECT))
    title = forms.CharField(label=_("Title"), max_length=120, widget=forms.TextInput(attrs=BIG))
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={**BIG, "type": "date"}))
    detail = forms.CharField(
        label=_("Detail"), max_length=300, required=False, widget=forms.TextInput(attrs=BIG)
    )
    minutes = forms.IntegerField(
        label=_("Training minutes"),
        min_value=0,
        max_value=24 * 60,
        required=False,
        widget=forms.NumberInput(attrs=BIG),
    )
    rating = forms.TypedChoiceField(
        label=_("Rating (evaluations)"),
        choices=[("", "—"), *[(str(i), "★" * i) for i in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, people=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [("", _("Choose"))] + [  # type: ignore[attr-defined]
            (str(v.pk), f"{mask_name(v.name)} · {v.number}") for v in people
        ]


def _aware(day, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, t))


class TimesForm(forms.Form):
    """From–until on one day (the roster, a 补录)."""

    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"class": "form-control", "type": "date"})
    )
    start = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"class": "form-control", "type": "time"})
    )
    end = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"class": "form-control", "type": "time"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def times(self) -> tuple[datetime, datetime]:
        c = self.cleaned_data
        return _aware(c["day"], c["start"]), _aware(c["day"], c["end"])


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(attrs=BIG))
    kind = forms.ChoiceField(label=_("Kind"), choices=TeamKind.choices, widget=forms.Select(attrs=SELECT))
    area = forms.CharField(label=_("Area code"), max_length=32, widget=forms.TextInput(attrs=BIG))
    manager = forms.CharField(
        label=_("Manager's user name"), max_length=150, required=False, widget=forms.TextInput(attrs=BIG)
    )


class StationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=BIG))
    area = forms.CharField(label=_("Area code"), max_length=32, widget=forms.TextInput(attrs=BIG))
    team = forms.ChoiceField(label=_("Team"), required=False, widget=forms.Select(attrs=SELECT))
    address = forms.CharField(
        label=_("Address"), max_length=200, required=False, widget=forms.TextInput(attrs=BIG)
    )
    lat = forms.FloatField(
        label=_("Latitude"), min_value=-90, max_value=90, widget=forms.NumberInput(attrs=BIG)
    )
    lng = forms.FloatField(
        label=_("Longitude"), min_value=-180, max_value=180, widget=forms.NumberInput(attrs=BIG)
    )

    def __init__(self, *args, teams=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—")] + [(str(t.pk), t.name) for t in teams]  # type: ignore[attr-defined]
