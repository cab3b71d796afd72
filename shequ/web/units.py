"""Units and their areas (issue 21): the system admin keeps the organisations that handle work, within the areas of
his grants. Thin: form → shequ.access.services (audited) → page; fetched through shequ.access.selectors (out of
scope is 404)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from shequ.access import selectors, services
from shequ.access.decorators import require_action
from shequ.access.scoping import scope_for
from shequ.accounts.choices import UnitKind
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from .staff import _apply_errors


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # require_action has let only a signed-in user through


class UnitForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Unit code"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Unit name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=UnitKind.choices)
    area = forms.CharField(
        label=gettext_lazy("Area code"),
        max_length=19,
        help_text=gettext_lazy(
            "The code of the district, street or community where the unit sits, e.g. 440304009."
        ),
    )
    parent = forms.CharField(label=gettext_lazy("Parent unit code (optional)"), max_length=64, required=False)
    is_active = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("1", gettext_lazy("Active")), ("0", gettext_lazy("Disabled"))],
        initial="1",
    )

    def __init__(self, *args, actor: User, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if editing:
            del self.fields["code"]
        else:
            del self.fields["is_active"]

    def clean_area(self) -> Area:
        code = self.cleaned_data["area"].strip()
        area = Area.objects.filter(code=code).exclude(level=AreaLevel.BUILDING).first()
        # An area outside the admin's scope reads like a missing one.
        if area is None or not scope_for(self.actor, Action.UNITS_MANAGE).covers_path(area.path):
            raise forms.ValidationError(_("No area in your areas has this code."))
        return area

    def clean_parent(self) -> Unit | None:
        code = self.cleaned_data["parent"].strip()
        if not code:
            return None
        parent = selectors.unit_list_for(user=self.actor).filter(code=code).first()
        if parent is None:
            raise forms.ValidationError(_("No unit in your areas has this code."))
        return parent


@require_action(Action.UNITS_MANAGE)
def unit_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    units = list(selectors.unit_list_for(user=_me(request), query=q)[:300])
    return render(request, "web/units.html", {"units": units, "q": q})


@require_action(Action.UNITS_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_new(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None, actor=_me(request))
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                actor=_me(request),
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                area=form.cleaned_data["area"],
                parent=form.cleaned_data["parent"],
            )
        except ShequError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("The unit is saved."))
            return redirect("web:unit_edit", pk=unit.pk)
    return render(
        request, "web/unit_form.html", {"form": form, "unit": None}, status=400 if form.errors else 200
    )


@require_action(Action.UNITS_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for(user=_me(request), pk=pk)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "area": unit.area.code,
        "parent": unit.parent.code if unit.parent else "",
        "is_active": "1" if unit.is_active else "0",
    }
    form = UnitForm(request.POST or None, initial=initial, actor=_me(request), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                actor=_me(request),
                unit=unit,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                area=form.cleaned_data["area"],
                parent=form.cleaned_data["parent"],
                is_active=form.cleaned_data["is_active"] == "1",
            )
        except ShequError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("The unit is saved."))
            return redirect("web:unit_edit", pk=unit.pk)
    return render(
        request, "web/unit_form.html", {"form": form, "unit": unit}, status=400 if form.errors else 200
    )
