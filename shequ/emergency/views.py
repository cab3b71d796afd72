"""Pages of emergency management. Residents: my warnings, a warning's page (acknowledge; after the event "I am
safe" or "I need help"), the banner on every portal page (context.py). Staff: the overview (plans, shelters on the
map, supplies with alerts, drills, teams) and its forms (a plan with its contact roles, a shelter and its
occupancy, a supply, a drill of a plan), publishing a warning, its progress and loudspeaker list, the call list
and the follow-up list. Thin: form → services → page; refusals in Chinese write nothing."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access.decorators import require_action
from shequ.access.scoping import can
from shequ.accounts.models import User
from shequ.accounts.roles import Action
from shequ.core.errors import NotFound, ShequError
from shequ.core.masking import mask_phone, personal_data_in

from . import forms, selectors, services
from .choices import LEVEL_BADGE, AckWay, Hazard, Level, SafetyState, WarningStatus

RESIDENT_LOGIN = "/accounts/resident/"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- residents ------------------------------------------------------------------------------------------------
@login_required(login_url=RESIDENT_LOGIN)
def my_warnings(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.my_deliveries(user=_user(request))[:50])
    return render(request, "emergency/my_list.html", {"rows": rows, "badge": LEVEL_BADGE})


@login_required(login_url=RESIDENT_LOGIN)
def my_warning(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.my_delivery(user=_user(request), warning_id=pk)
    resident = getattr(request.user, "resident", None)
    shelters = []
    if resident is not None:
        district = resident.area.path.split("/")[2] if resident.area.path.count("/") > 2 else ""
        shelters = list(selectors.shelter_list_for(user=request.user, area=district or None)[:5])
    return render(
        request,
        "emergency/my_detail.html",
        {
            "d": delivery,
            "w": delivery.warning,
            "badge": LEVEL_BADGE,
            "ended": delivery.warning.status == WarningStatus.ENDED,
            "shelters": shelters,
            "SafetyState": SafetyState,
        },
    )


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def my_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    services.warning_acknowledge(person=_user(request), warning_id=pk)
    messages.success(request, _("Thank you: we know the warning reached you."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("emergency:my_warning", args=[pk])
    return redirect(back)


@login_required(login_url=RESIDENT_LOGIN)
@require_POST
def my_safety(request: HttpRequest, pk: int) -> HttpResponse:
    state = request.POST.get("state", "")
    try:
        services.safety_report(
            person=_user(request), warning_id=pk, state=state, note=request.POST.get("note", "")
        )
    except NotFound:
        raise
    except ShequError as e:
        messages.error(request, e.message)
        return redirect("emergency:my_warning", pk=pk)
    if state == SafetyState.NEED_HELP:
        messages.success(request, _("Your community has been told; a grid worker will contact you."))
    else:
        messages.success(request, _("Thank you for telling us you are safe."))
    return redirect("emergency:my_warning", pk=pk)


# --- staff --------------------------------------------------------------------------------------------------
@require_action(Action.EMERGENCY_MANAGE)
def console(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    supplies = list(selectors.supply_list_for(user=user)[:200])
    alerts = selectors.supply_alerts(supplies)
    for s in supplies:
        s.alerts = alerts.get(s.pk, [])  # type: ignore[attr-defined]
    plans = list(selectors.plan_list_for(user=user)[:50])
    for p in plans:
        for r in p.roles.all():
            r.phone_masked = mask_phone(r.phone)  # type: ignore[attr-defined]
    shelters = list(selectors.shelter_console_list_for(user=user)[:200])
    return render(
        request,
        "emergency/console.html",
        {
            "warnings": list(selectors.warning_list_for(user=user)[:20]),
            "may_publish": can(user, Action.EMERGENCY_PUBLISH),
            "plans": plans,
            "shelters": shelters,
            "points": [
                {
                    "lat": s.lat,
                    "lng": s.lng,
                    "name": f"{s.name}（{s.capacity - s.occupied}/{s.capacity}）",
                    "url": reverse("emergency:shelter", args=[s.pk]),
                }
                for s in shelters
            ],
            "supplies": supplies,
            "drills": list(selectors.drill_list_for(user=user)[:20]),
            "teams": list(selectors.team_list_for(user=user)[:50]),
            "badge": LEVEL_BADGE,
        },
    )


@require_action(Action.EMERGENCY_CALL)
def calls_home(request: HttpRequest) -> HttpResponse:
    warnings = list(selectors.warning_list_for(user=_user(request))[:30])
    return render(request, "emergency/calls_home.html", {"warnings": warnings, "badge": LEVEL_BADGE})


@require_action(Action.EMERGENCY_PUBLISH)
@require_http_methods(["GET", "POST"])
def warning_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    areas = list(selectors.publishable_areas_for(user=user))
    data: dict = {"hazard": "", "level": "", "areas": [], "message": ""}
    errors: dict = {}
    if request.method == "POST":
        data = {
            "hazard": request.POST.get("hazard", ""),
            "level": request.POST.get("level", ""),
            "areas": request.POST.getlist("areas"),
            "message": request.POST.get("message", ""),
        }
        try:
            warning = services.warning_publish(
                actor=user,
                hazard=data["hazard"],
                level=data["level"],
                area_codes=data["areas"],
                message=data["message"],
            )
        except ShequError as e:
            messages.error(request, e.message)
            errors = e.fields
        else:
            messages.success(
                request, _("The warning is published; it is being sent to everyone in its areas.")
            )
            return redirect("emergency:warning", pk=warning.pk)
    return render(
        request,
        "emergency/warning_new.html",
        {"areas": areas, "data": data, "errors": errors, "hazards": Hazard.choices, "levels": Level.choices},
        status=400 if errors else 200,
    )


@require_action(Action.CONSOLE)
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    warning = selectors.warning_get_for(user=user, pk=pk)
    return render(
        request,
        "emergency/warning_detail.html",
        {
            "w": warning,
            "p": selectors.warning_progress(warning),
            "loudspeakers": list(selectors.loudspeaker_list(warning)[:200]),
            "badge": LEVEL_BADGE,
            "may_end": warning.status == WarningStatus.ACTIVE
            and can(user, Action.EMERGENCY_PUBLISH)
            and selectors.warning_may(user=user, warning=warning, action=Action.EMERGENCY_PUBLISH),
            "may_call": can(user, Action.EMERGENCY_CALL),
        },
    )


@require_action(Action.EMERGENCY_PUBLISH)
@require_POST
def warning_end(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_get_for(user=_user(request), pk=pk, action=Action.EMERGENCY_PUBLISH)
    try:
        services.warning_end(actor=_user(request), warning=warning)
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, _("The warning is lifted; residents are asked to report that they are safe.")
        )
    return redirect("emergency:warning", pk=pk)


def _people(rows) -> list[dict]:
    return [
        {
            "d": d,
            "name": d.resident.name,
            "phone": mask_phone(d.resident.phone) if d.resident.phone else "",
            "groups": selectors.vulnerable_tag_names(d.resident),
        }
        for d in rows
    ]


@require_action(Action.EMERGENCY_CALL)
def calls(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    warning = selectors.warning_get_for(user=user, pk=pk)
    rows = _people(selectors.call_list_for(user=user, warning=warning)[:500])
    follow = _people(selectors.follow_up_list_for(user=user, warning=warning)[:500])
    return render(
        request,
        "emergency/calls.html",
        {
            "w": warning,
            "rows": rows,
            "follow": follow,
            "badge": LEVEL_BADGE,
            "ways": [AckWay.CALL, AckWay.VISIT],
        },
    )


@require_action(Action.EMERGENCY_CALL)
@require_POST
def delivery_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get_for(user=_user(request), pk=pk)
    try:
        services.delivery_confirm(
            actor=_user(request),
            delivery=delivery,
            way=request.POST.get("way", ""),
            note=request.POST.get("note", ""),
        )
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Recorded: the person has been told."))
    return redirect("emergency:calls", pk=delivery.warning_id)


@require_action(Action.EMERGENCY_CALL)
@require_POST
def delivery_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.delivery_get_for(user=_user(request), pk=pk)
    try:
        services.delivery_follow_up(
            actor=_user(request), delivery=delivery, note=request.POST.get("note", "")
        )
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Recorded: the follow-up is done."))
    return redirect("emergency:calls", pk=delivery.warning_id)


# --- plans, shelters, supplies and drills, kept in the console ----------------------------------------------------
def _form_page(request: HttpRequest, ctx: dict) -> HttpResponse:
    """The console's form page: 400 with what was typed and the reasons next to the fields when refused (a
    person's phone is not shown back: its row asks for it again)."""
    roles = ctx.get("roles")
    invalid = bool(ctx["form"].errors) or bool(roles is not None and roles.total_error_count())
    if invalid and roles is not None:
        for f in roles.forms:
            if personal_data_in(f.data.get(f.add_prefix("phone")) or ""):
                # The bound field copied the help text when the form was validated: set it there.
                f["phone"].help_text = _("Not shown back, to protect it: please type it again.")
    return render(request, "emergency/form.html", ctx, status=400 if invalid else 200)


def _areas(user: User) -> list:
    return list(selectors.manageable_areas_for(user=user))


def _roles_of(started: list) -> list[services.RoleData]:
    return [
        services.RoleData(**{k: f.cleaned_data[k] for k in forms.ROLE_FIELDS}, was=f.cleaned_data.get("was"))
        for f in started
    ]


def _plan_refused(e: ShequError, form, started: list) -> None:
    """A role's reason goes to its own row ("roles-0-phone": the first row that was filled in); the rest to the
    plan's fields or above the form."""
    for key, text in list(e.fields.items()):
        if key.startswith("roles-"):
            index, name = key.split("-", 2)[1:]
            started[int(index)].add_error(name, str(text))
            del e.fields[key]
    if e.fields or not form.errors:
        form.add_service_errors(e)


@require_action(Action.EMERGENCY_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.PlanForm(request.POST or None, areas=_areas(user))
    roles = forms.RoleFormSet(request.POST or None, prefix="roles")
    if request.method == "POST" and all([form.is_valid(), roles.is_valid()]):
        started = [f for f in roles if f.has_content()]
        try:
            services.plan_create(
                actor=user,
                area=form.chosen_area(),
                title=form.cleaned_data["title"],
                hazard=form.cleaned_data["hazard"],
                summary=form.cleaned_data["summary"],
                roles=_roles_of(started),
            )
        except ShequError as e:
            _plan_refused(e, form, started)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("emergency:console")
    ctx = {
        "heading": _("New emergency plan"),
        "form": form,
        "roles": roles,
        "submit": _("Save the plan"),
    }
    return _form_page(request, ctx)


@require_action(Action.EMERGENCY_MANAGE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan's wording and roles. A phone on record is never put back in the form: its row shows it masked and
    keeps it when the field is left empty."""
    user = _user(request)
    plan = selectors.plan_get_for(user=user, pk=pk)
    old = list(plan.roles.all())
    form = forms.PlanEditForm(
        request.POST or None, initial={"title": plan.title, "hazard": plan.hazard, "summary": plan.summary}
    )
    roles = forms.RoleFormSet(
        request.POST or None,
        prefix="roles",
        initial=[{"role": r.role, "name": r.name, "duty": r.duty, "was": r.pk} for r in old],
    )
    kept = {r.pk: mask_phone(r.phone) for r in old if r.phone}
    for f in roles.forms:
        was = f.initial.get("was") if not roles.is_bound else f.data.get(f.add_prefix("was"))
        masked = kept.get(int(str(was))) if str(was or "").isdigit() else None
        if masked:
            f.fields["phone"].widget.attrs["placeholder"] = masked
            f.fields["phone"].help_text = _("On record: %(phone)s. Leave it empty to keep it.") % {
                "phone": masked
            }
    if request.method == "POST" and all([form.is_valid(), roles.is_valid()]):
        started = [f for f in roles if f.has_content()]
        own = {r.pk for r in old}
        for f in started:  # a row claiming another plan's role keeps nothing
            if f.cleaned_data.get("was") not in own:
                f.cleaned_data["was"] = None
        try:
            services.plan_update(
                actor=user,
                plan=plan,
                title=form.cleaned_data["title"],
                hazard=form.cleaned_data["hazard"],
                summary=form.cleaned_data["summary"],
                roles=_roles_of(started),
            )
        except ShequError as e:
            _plan_refused(e, form, started)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("emergency:console")
    ctx = {
        "heading": plan.title,
        "plan_area": plan.area,
        "form": form,
        "roles": roles,
        "submit": _("Save the plan"),
    }
    return _form_page(request, ctx)


def _save(request: HttpRequest, form, save, *, done: str, ctx: dict) -> HttpResponse:
    """A console form's POST: `save(cleaned_data)` calls the service; on success the message and back to the
    console, else the page again (400) with what was typed and the service's reasons next to the fields."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ShequError as e:
            form.add_service_errors(e)
        else:
            messages.success(request, done)
            return redirect("emergency:console")
    return _form_page(request, {"form": form, **ctx})


@require_action(Action.EMERGENCY_MANAGE)
@require_http_methods(["GET", "POST"])
def shelter_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.ShelterForm(request.POST or None, areas=_areas(user))
    return _save(
        request,
        form,
        lambda c: services.shelter_create(
            actor=user,
            area=form.chosen_area(),
            name=c["name"],
            address=c["address"],
            lat=c["lat"],
            lng=c["lng"],
            capacity=c["capacity"],
        ),
        done=_("The shelter is saved; it is on the residents' map of services too."),
        ctx={"heading": _("New shelter"), "submit": _("Save the shelter")},
    )


@require_action(Action.EMERGENCY_MANAGE)
@require_http_methods(["GET", "POST"])
def shelter_occupancy(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    shelter = selectors.shelter_get_for(user=user, pk=pk)
    form = forms.OccupancyForm(
        request.POST or None, initial={"occupied": shelter.occupied, "is_open": shelter.is_open}
    )
    return _save(
        request,
        form,
        lambda c: services.shelter_set_occupancy(
            actor=user, shelter=shelter, occupied=c["occupied"], is_open=c["is_open"]
        ),
        done=_("The shelter's state is saved."),
        ctx={"heading": shelter.name, "shelter": shelter, "submit": _("Save")},
    )


@require_action(Action.EMERGENCY_MANAGE)
@require_http_methods(["GET", "POST"])
def supply_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.SupplyForm(request.POST or None, areas=_areas(user), initial={"minimum": 0})
    return _save(
        request,
        form,
        lambda c: services.supply_create(
            actor=user,
            area=form.chosen_area(),
            name=c["name"],
            unit=c["unit"],
            quantity=c["quantity"],
            minimum=c["minimum"] or 0,
            expires_on=c["expires_on"],
            location=c["location"],
        ),
        done=_("The supply is recorded."),
        ctx={"heading": _("Record a supply"), "submit": _("Save the supply")},
    )


@require_action(Action.EMERGENCY_MANAGE)
@require_http_methods(["GET", "POST"])
def supply_stock(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    supply = selectors.supply_get_for(user=user, pk=pk)
    initial = {k: getattr(supply, k) for k in ("quantity", "minimum", "expires_on", "location")}
    form = forms.StockForm(request.POST or None, initial=initial)
    return _save(
        request,
        form,
        lambda c: services.supply_update(
            actor=user,
            supply=supply,
            quantity=c["quantity"],
            minimum=c["minimum"],
            expires_on=c["expires_on"],
            location=c["location"],
        ),
        done=_("The stock count is saved."),
        ctx={"heading": supply.name, "supply": supply, "submit": _("Save the stock count")},
    )


@require_action(Action.EMERGENCY_MANAGE)
@require_http_methods(["GET", "POST"])
def drill_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get_for(user=user, pk=pk)
    form = forms.DrillForm(request.POST or None, initial={"held_on": timezone.localdate()})
    return _save(
        request,
        form,
        lambda c: services.drill_record(
            actor=user, plan=plan, held_on=c["held_on"], participants=c["participants"], record=c["record"]
        ),
        done=_("The drill is recorded."),
        ctx={"heading": _("Record a drill"), "plan": plan, "submit": _("Record the drill")},
    )
