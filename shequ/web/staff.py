"""Administration screens of the console (issue 21): staff accounts (the system admin's job) and grants (the
system admin requests, the security admin approves or refuses: 三员分立). Thin: form → service → page.

Every account and grant is fetched through shequ.access.selectors (out of scope is 404); every change goes through
shequ.access.services, which audits it in its transaction. A temporary password is shown once, in the answer to
the POST that made it, and stored nowhere but as a hash."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shequ.access import selectors, services
from shequ.access.decorators import require_action
from shequ.access.scoping import areas_in_scope, can
from shequ.accounts.models import Grant, GrantStatus, Unit, User
from shequ.accounts.roles import ADMIN_ROLES, STAFF_ROLES, Action, Role
from shequ.core.errors import ShequError
from shequ.geo.choices import AreaLevel
from shequ.geo.models import Area


def _area_choices(user, action: str) -> list[tuple[str, str]]:
    """The city, districts and streets under the actor's grants for the action: where a grant may be placed."""
    found = areas_in_scope(user, action, levels=[AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET])
    indent: dict[str, str] = {AreaLevel.CITY: "", AreaLevel.DISTRICT: "　", AreaLevel.STREET: "　　"}
    return [(a.code, f"{indent.get(a.level, '')}{a.name}") for a in found]


def _role_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Role.choices if value in STAFF_ROLES]


class GrantRequestForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    area = forms.ChoiceField(label=gettext_lazy("Area"))
    unit = forms.CharField(
        label=gettext_lazy("Unit code (optional)"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("For a department handler or a station: the code of the unit he works for."),
    )

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "—"), *_role_choices()]
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", "—"),
            *_area_choices(actor, Action.GRANTS_REQUEST),
        ]

    def clean_unit(self) -> Unit | None:
        code = self.cleaned_data["unit"].strip()
        if not code:
            return None
        unit = Unit.objects.filter(code=code, is_active=True).first()
        if unit is None:
            raise forms.ValidationError(_("No active unit has this code."))
        return unit

    def area_obj(self) -> Area:
        return Area.objects.get(code=self.cleaned_data["area"])


class StaffCreateForm(GrantRequestForm):
    username = forms.CharField(label=gettext_lazy("Account name"), max_length=services.USERNAME_MAX)
    display_name = forms.CharField(label=gettext_lazy("Full name"), max_length=50)
    field_order = ["username", "display_name", "role", "area", "unit"]


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)  # require_action has let only a signed-in user through


def _apply_errors(form: forms.Form, error: ShequError) -> None:
    for name, text in error.fields.items():
        form.add_error(name if name in form.fields else None, str(text))
    if not error.fields:
        form.add_error(None, error.message)


# --- staff accounts -----------------------------------------------------------------------------------------
@require_action(Action.USERS_MANAGE)
def staff_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    accounts = list(selectors.staff_list_for(user=_me(request), query=q)[:200])
    return render(request, "web/staff_list.html", {"accounts": accounts, "q": q})


@never_cache
@require_action(Action.USERS_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None, actor=_me(request))
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.staff_create(
                actor=_me(request),
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                role=form.cleaned_data["role"],
                area=form.area_obj(),
                unit=form.cleaned_data["unit"],
            )
        except ShequError as e:
            _apply_errors(form, e)
        else:
            return render(
                request, "web/staff_password.html", {"account": user, "password": password, "new": True}
            )
    return render(request, "web/staff_new.html", {"form": form}, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest, account: User, grant_form: GrantRequestForm | None = None, status: int = 200
):
    protected = account.pk == _me(request).pk or any(
        g.role in ADMIN_ROLES and g.status == GrantStatus.ACTIVE for g in selectors.grants_of(staff=account)
    )
    return render(
        request,
        "web/staff_detail.html",
        {
            "account": account,
            "grants": selectors.grants_of(staff=account),
            "protected": protected,
            "may_request": can(_me(request), Action.GRANTS_REQUEST) and account.pk != _me(request).pk,
            "grant_form": grant_form or GrantRequestForm(actor=_me(request)),
        },
        status=status,
    )


@never_cache
@require_action(Action.USERS_MANAGE)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.staff_get_for(user=_me(request), pk=pk))


@require_action(Action.USERS_MANAGE)
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    account = selectors.staff_get_for(user=_me(request), pk=pk)
    try:
        if action in ("disable", "enable"):
            services.staff_set_active(
                actor=_me(request),
                user=account,
                active=action == "enable",
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request,
                _("The account is disabled.") if action == "disable" else _("The account is enabled again."),
            )
        elif action == "password":
            password = services.staff_reset_password(actor=_me(request), user=account)
            return render(request, "web/staff_password.html", {"account": account, "password": password})
        elif action == "totp":
            services.staff_reset_totp(actor=_me(request), user=account)
            messages.success(
                request, _("The authenticator is reset: a new one is enrolled at the next sign-in.")
            )
        else:
            raise PermissionDenied
    except ShequError as e:
        messages.error(request, e.message)
    return redirect("web:staff_detail", pk=account.pk)


@require_action(Action.GRANTS_REQUEST)
@require_POST
def staff_grant_request(request: HttpRequest, pk: int) -> HttpResponse:
    if not can(_me(request), Action.USERS_MANAGE):
        raise PermissionDenied
    account = selectors.staff_get_for(user=_me(request), pk=pk)
    form = GrantRequestForm(request.POST, actor=_me(request))
    if form.is_valid():
        try:
            services.grant_create(
                actor=_me(request),
                user=account,
                role=form.cleaned_data["role"],
                area=form.area_obj(),
                unit=form.cleaned_data["unit"],
            )
        except ShequError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("The grant is requested: the security administrator decides it."))
            return redirect("web:staff_detail", pk=account.pk)
    return _detail(request, account, grant_form=form, status=400)


# --- grants: the security admin decides ------------------------------------------------------------------------
@never_cache
@require_action(Action.GRANTS_MANAGE)
def grant_list(request: HttpRequest) -> HttpResponse:
    pending = list(selectors.grant_list_for(user=_me(request))[:200])
    decided = list(
        selectors.grant_list_for(user=_me(request), status=None).exclude(status=GrantStatus.PENDING)[:50]
    )
    # The active grants he may revoke, found by the account's name (a city has thousands of them).
    q = request.GET.get("q", "").strip()[:50]
    active = selectors.grant_list_for(user=_me(request), status=GrantStatus.ACTIVE)
    if q:
        active = active.filter(Q(user__username__icontains=q) | Q(user__display_name__icontains=q))
    return render(
        request,
        "web/grants.html",
        {
            "pending": pending,
            "decided": decided,
            "active": list(active[:50]),
            "q": q,
            "me": _me(request).pk,
        },
    )


@require_action(Action.GRANTS_MANAGE)
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The security admin ends an active grant, with a reason (audited by the service; out of scope is 404)."""
    grant: Grant = selectors.grant_get_for(user=_me(request), pk=pk)
    try:
        services.grant_revoke(actor=_me(request), grant=grant, reason=request.POST.get("reason", "")[:200])
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("Revoked: %(name)s is no longer %(role)s in %(area)s.")
            % {"name": grant.user, "role": grant.get_role_display(), "area": grant.area.name},
        )
    query = request.POST.get("q", "").strip()[:50]
    return redirect(f"{reverse('web:grants')}?{urlencode({'q': query})}" if query else reverse("web:grants"))


@require_action(Action.GRANTS_MANAGE)
@require_POST
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant: Grant = selectors.grant_get_for(user=_me(request), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose to approve or to refuse."))
        return redirect("web:grants")
    try:
        services.grant_decide(
            actor=_me(request),
            grant=grant,
            approve=decision == "approve",
            note=request.POST.get("note", "")[:200],
        )
    except ShequError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Approved.") if decision == "approve" else _("Refused."))
    return redirect("web:grants")
