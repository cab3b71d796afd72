"""Console forms of the three lists (STYLE.md §1: the form checks types and choices; the services the rest)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.core.forms import StyledForm

from .choices import ProjectStatus
from .models import Category


class ProjectForm(StyledForm):
    area = forms.ChoiceField(label=_("Community"))
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("What will be done"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    budget_yuan = forms.IntegerField(
        label=_("Budget (yuan)"), min_value=0, max_value=100_000_000, required=False
    )

    def __init__(self, *args, areas, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Choose…"))] + [  # type: ignore[attr-defined]
            (a.code, a.name) for a in areas
        ]
        self.fields["category"].choices = [("", _("Choose…"))] + [  # type: ignore[attr-defined]
            (c.code, c.name) for c in Category.objects.all()
        ]


class ProjectStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
