"""Console pages for the subjects under credit supervision: companies and project managers of one's areas, the
estates they serve and their inspections. Thin: forms validate the shape, the services decide and audit."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from shequ.access.decorators import require_action
from shequ.access.scoping import areas_in_scope
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.forms import StyledForm
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area

from . import selectors, services
from .choices import SubjectKind
from .models import Subject


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _areas_in_scope(user, levels) -> list[Area]:
    return list(areas_in_scope(user, Action.CREDIT_MANAGE, levels=levels))


class SubjectForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SubjectKind.choices)
    name = forms.CharField(label=pgettext_lazy("of a place or thing", "Name"), max_length=100)
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=18,
        min_length=18,
        required=False,
        help_text=gettext_lazy("18 characters; leave empty for a project manager."),
    )
    area = forms.ChoiceField(label=gettext_lazy("Supervised by"))
    company = forms.ChoiceField(label=gettext_lazy("Company (for a project manager)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "area").choices = [
            (a.code, a.name) for a in _areas_in_scope(user, (AreaLevel.DISTRICT, AreaLevel.STREET))
        ]
        companies = selectors.subject_list_for(user=user).filter(kind=SubjectKind.PROPERTY_COMPANY)
        _choices(self, "company").choices = [("", "—")] + [(str(c.pk), c.name) for c in companies]


class InspectionForm(StyledForm):
    inspected_on = forms.DateField(
        label=gettext_lazy("Inspected on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    score = forms.IntegerField(label=gettext_lazy("Score (0–100)"), min_value=0, max_value=100)
    serious = forms.BooleanField(label=gettext_lazy("Serious finding"), required=False)
    finding = forms.CharField(
        label=gettext_lazy("Finding"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    estate = forms.ChoiceField(label=gettext_lazy("Estate"), required=False)

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "estate").choices = [("", "—")] + [(e.code, e.name) for e in estates]


class EstateForm(StyledForm):
    estate = forms.ChoiceField(label=gettext_lazy("Estate"))
    since = forms.DateField(
        label=gettext_lazy("Serving since"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "estate").choices = [(e.code, e.name) for e in estates]


@require_action(Action.CREDIT_MANAGE)
@require_http_methods(["GET", "POST"])
def console_subjects(request: HttpRequest) -> HttpResponse:
    form = SubjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = Area.objects.get(code=data["area"])
        company = (
            selectors.subject_get_for(user=request.user, pk=int(data["company"])) if data["company"] else None
        )
        try:
            subject = services.subject_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                area=area,
                company=company,
                credit_code=data["credit_code"],
            )
        except ShequError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("credit:console_subject", pk=subject.pk)
    subjects = list(selectors.subject_list_for(user=request.user).order_by("kind", "name")[:500])
    status = 400 if request.method == "POST" else 200
    return render(
        request, "credit/console_subjects.html", {"form": form, "subjects": subjects}, status=status
    )


class SubjectEditForm(StyledForm):
    name = forms.CharField(label=pgettext_lazy("of a place or thing", "Name"), max_length=100)
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=18,
        min_length=18,
        required=False,
        help_text=gettext_lazy("18 characters; leave empty for a project manager."),
    )
    area = forms.ChoiceField(label=gettext_lazy("Supervised by"))
    company = forms.ChoiceField(label=gettext_lazy("Company (for a project manager)"), required=False)

    def __init__(self, *args, user, subject: Subject, **kwargs):
        super().__init__(*args, **kwargs)
        _choices(self, "area").choices = [
            (a.code, a.name) for a in _areas_in_scope(user, (AreaLevel.DISTRICT, AreaLevel.STREET))
        ]
        if subject.kind == SubjectKind.PROJECT_MANAGER:
            companies = selectors.subject_list_for(user=user).filter(kind=SubjectKind.PROPERTY_COMPANY)
            _choices(self, "company").choices = [(str(c.pk), c.name) for c in companies]
            self.fields["company"].required = True
        else:
            del self.fields["company"]


@require_action(Action.CREDIT_MANAGE)
@require_http_methods(["GET", "POST"])
def console_subject_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.subject_get_for(user=request.user, pk=pk)
    initial = {
        "name": subject.name,
        "credit_code": subject.credit_code,
        "area": subject.area.code,
        "company": str(subject.company_id or ""),
    }
    form = SubjectEditForm(request.POST or None, user=request.user, subject=subject, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = (
            selectors.subject_get_for(user=request.user, pk=int(data["company"]))
            if data.get("company")
            else None
        )
        try:
            services.subject_update(
                actor=request.user,
                subject=subject,
                name=data["name"],
                area=Area.objects.get(code=data["area"]),
                credit_code=data["credit_code"],
                company=company,
            )
        except ShequError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("credit:console_subject", pk=subject.pk)
    status = 400 if form.errors else 200
    return render(
        request, "credit/console_subject_edit.html", {"form": form, "subject": subject}, status=status
    )


def _estates_for(user, subject: Subject) -> list[Area]:
    return [e for e in _areas_in_scope(user, (AreaLevel.ESTATE,)) if e.path.startswith(subject.area.path)]


@require_action(Action.CREDIT_MANAGE)
@require_http_methods(["GET", "POST"])
def console_subject(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.subject_get_for(user=request.user, pk=pk)
    served = list(subject.estates.select_related("estate").order_by("-since"))
    do = request.POST.get("do") if request.method == "POST" else None
    inspection_form = InspectionForm(
        request.POST if do == "inspect" else None,
        estates=[s.estate for s in served],
        initial={"inspected_on": timezone.localdate()},
    )
    # Its own prefix: the inspection form has an "estate" field too, and ids are unique on a page.
    estate_form = EstateForm(
        request.POST if do == "estate" else None, estates=_estates_for(request.user, subject), prefix="serve"
    )
    if do == "inspect" and inspection_form.is_valid():
        data = inspection_form.cleaned_data
        try:
            services.inspection_record(
                actor=request.user,
                subject=subject,
                inspected_on=data["inspected_on"],
                score=data["score"],
                serious=data["serious"],
                finding=data["finding"],
                estate=next((s.estate for s in served if s.estate.code == data["estate"]), None),
            )
        except ShequError as exc:
            inspection_form.add_service_errors(exc)
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("credit:console_subject", pk=subject.pk)
    elif do == "estate" and estate_form.is_valid():
        data = estate_form.cleaned_data
        try:
            services.estate_service_add(
                actor=request.user,
                subject=subject,
                estate=Area.objects.get(code=data["estate"]),
                since=data["since"],
            )
        except ShequError as exc:
            estate_form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("credit:console_subject", pk=subject.pk)
    context = {
        "subject": subject,
        "served": served,
        "inspections": list(
            subject.inspections.select_related("estate").order_by("-inspected_on", "-pk")[:100]
        ),
        "inspection_form": inspection_form,
        "estate_form": estate_form,
        "may_serve_estates": subject.kind != SubjectKind.DOMESTIC_COMPANY,
    }
    return render(request, "credit/console_subject.html", context, status=400 if do else 200)
