"""The registries in the console: a list per register (of one's areas), add and edit, activities of a social
organisation, import from .xlsx with a row-level report, exports. Thin: form → services → page; out of scope 404."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.accounts.roles import Action
from shequ.core.errors import ShequError
from shequ.core.exports import export_response

from . import services
from .choices import KINDS, Register


def _register(code: str) -> Register:
    if code not in Register.values:
        raise Http404
    return Register(code)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("register entry", "Kind"))
    community = forms.CharField(label=gettext_lazy("Community"), max_length=19)
    name = forms.CharField(label=pgettext_lazy("of a place or thing", "Name"), max_length=120)
    reference = forms.CharField(label=gettext_lazy("Reference number"), max_length=60, required=False)
    contact = forms.CharField(
        label=gettext_lazy("Responsible unit or convener"), max_length=120, required=False
    )
    since = forms.DateField(
        label=gettext_lazy("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    members = forms.IntegerField(label=gettext_lazy("Members"), required=False, min_value=0)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    is_active = forms.ChoiceField(
        label=gettext_lazy("State"), choices=[("1", gettext_lazy("Active")), ("0", gettext_lazy("Disabled"))]
    )

    def __init__(self, *args, register: str, communities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = KINDS[register]  # type: ignore[attr-defined]
        self.fields["community"].widget = forms.Select(choices=[(c.code, c.name) for c in communities])
        self.register = register
        _bootstrap(self)

    def data_for(self) -> services.EntryData:
        c = self.cleaned_data
        return services.EntryData(
            register=self.register,
            kind=c["kind"],
            community=c["community"],
            name=c["name"],
            reference=c["reference"],
            contact=c["contact"],
            since=c["since"],
            members=c["members"],
            note=c["note"],
            is_active=c["is_active"] == "1",
        )


def _bootstrap(form: forms.Form) -> None:
    for f in form.fields.values():
        f.widget.attrs["class"] = "form-select" if isinstance(f.widget, forms.Select) else "form-control"


class ActivityForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    participants = forms.IntegerField(label=gettext_lazy("Participants"), min_value=0, max_value=100_000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


def _communities(request: HttpRequest):
    from shequ.access.scoping import areas_in_scope

    return list(areas_in_scope(request.user, Action.REGISTRIES_MANAGE, levels=["community"]))


@require_action(Action.REGISTRIES_MANAGE)
def home(request: HttpRequest) -> HttpResponse:
    counts = dict(
        services.entry_list_for(user=request.user)
        .filter(is_active=True)
        .values_list("register")
        .annotate(n=Count("pk"))
        .order_by()
    )
    registers = [(r, counts.get(r.value, 0)) for r in Register]
    return render(request, "registries/home.html", {"registers": registers})


@require_action(Action.REGISTRIES_MANAGE)
def entry_list(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    rows = (
        services.entry_list_for(user=request.user)
        .filter(register=reg)
        .annotate(n_activities=Count("activities"))
    )
    community = request.GET.get("community", "").strip()
    if community:
        rows = rows.filter(community__code=community)
    return render(
        request,
        "registries/list.html",
        {"register": reg, "rows": rows[:1000], "communities": _communities(request), "community": community},
    )


def _export_rows(rows):
    for e in rows:
        yield [
            e.community.name,
            e.community.code,
            e.kind_label,
            e.name,
            e.reference,
            e.contact,
            e.since,
            e.members,
            _("Active") if e.is_active else _("Disabled"),
            _("yes") if e.synthetic else "",
            e.note,
        ]


@require_action(Action.REGISTRIES_MANAGE)
def entry_export(request: HttpRequest, register: str, fmt: str) -> HttpResponse:
    reg = _register(register)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows = (
        services.entry_list_for(user=request.user)
        .filter(register=reg)
        .order_by("community__path", "kind", "name")
    )
    headers = [
        "社区",
        "社区代码",
        "类别",
        "名称",
        "编号",
        "负责单位",
        "成立日期",
        "人数",
        _("State"),
        _("Synthetic"),
        "备注",
    ]
    return export_response(fmt, filename=f"registry-{reg.value}", headers=headers, rows=_export_rows(rows))


@require_action(Action.REGISTRIES_MANAGE)
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, register: str | None = None, pk: int | None = None) -> HttpResponse:
    entry = get_object_or_404(services.entry_list_for(user=request.user), pk=pk) if pk else None
    reg = Register(entry.register) if entry else _register(register or "")
    initial: dict = {"is_active": "1"}
    if entry is not None:
        initial = {
            "kind": entry.kind,
            "community": entry.community.code,
            "name": entry.name,
            "reference": entry.reference,
            "contact": entry.contact,
            "since": entry.since,
            "members": entry.members,
            "note": entry.note,
            "is_active": "1" if entry.is_active else "0",
        }
    form = EntryForm(request.POST or None, initial=initial, register=reg, communities=_communities(request))
    if request.method == "POST" and form.is_valid():
        try:
            if entry is None:
                entry = services.entry_create(actor=request.user, data=form.data_for())
            else:
                services.entry_update(actor=request.user, entry=entry, data=form.data_for())
        except ShequError as e:
            form.add_error(None, e.message)
            for name, text in e.fields.items():
                form.add_error(name if name in form.fields else None, str(text))
        else:
            messages.success(request, _("The entry is saved."))
            return redirect("registries:entry", pk=entry.pk)
    activities = entry.activities.all()[:50] if entry and entry.register == Register.SOCIAL_ORG else None
    return render(
        request,
        "registries/form.html",
        {
            "form": form,
            "entry": entry,
            "register": reg,
            "activities": activities,
            "activity_form": ActivityForm(initial={"held_on": date.today()})
            if activities is not None
            else None,
        },
        status=400 if form.errors else 200,
    )


@require_action(Action.REGISTRIES_MANAGE)
@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(services.entry_list_for(user=request.user), pk=pk, register=Register.SOCIAL_ORG)
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_add(actor=request.user, entry=entry, **form.cleaned_data)
        except ShequError as e:
            form.add_error(None, e.message)
            for text in e.fields.values():
                form.add_error(None, str(text))
        else:
            messages.success(request, _("The activity is recorded."))
            return redirect("registries:entry", pk=entry.pk)
    return render(
        request,
        "registries/form.html",
        {
            "form": EntryForm(
                initial={
                    "kind": entry.kind,
                    "community": entry.community.code,
                    "name": entry.name,
                    "is_active": "1",
                },
                register=entry.register,
                communities=_communities(request),
            ),
            "entry": entry,
            "register": Register(entry.register),
            "activities": entry.activities.all()[:50],
            "activity_form": form,
        },
        status=400,
    )


@require_action(Action.REGISTRIES_MANAGE)
@require_http_methods(["GET", "POST"])
def entry_import(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    report, problem = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problem = _("Choose an .xlsx file.")
        else:
            try:
                report = services.entries_import(actor=request.user, register=reg, fileobj=upload)
            except ShequError as e:
                problem = e.message
        if report is not None and report.ok:
            messages.success(request, _("%(n)d entries imported.") % {"n": report.created})
            return redirect("registries:list", register=reg.value)
    return render(
        request,
        "registries/import.html",
        {
            "register": reg,
            "report": report,
            "problem": problem,
            "columns": services.COLUMNS,
            "kinds": KINDS[reg],
        },
        status=400 if problem or (report is not None and not report.ok) else 200,
    )


@require_action(Action.REGISTRIES_MANAGE)
def import_template(request: HttpRequest, register: str) -> HttpResponse:
    reg = _register(register)
    headers = [names[0] for names in services.COLUMNS.values()]
    example = ["440304001001", KINDS[reg][0][1], "示例名称", "", "", "2024-03-01", "", ""]
    return export_response("xlsx", filename=f"registry-{reg.value}-template", headers=headers, rows=[example])
