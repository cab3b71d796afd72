"""Resident registration pages (accounts.registration): phone → code → optional real name and ID number.

Like the sign-in page, nothing personal comes back in the page: the phone a code was sent to stays in the session
(shown masked), the form is shown empty after a failure, and the same answers are given for every phone.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.idnumbers import validate_phone
from shequ.core.masking import mask_phone

from . import registration
from .forms import ResidentCodeRequestForm
from .views import _finish_login, client_ip

REG_PHONE = "shequ_register_phone"
REG_DEMO_SMS = "shequ_register_demo_sms"


class RegisterForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code from the text message"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the 6 digits from the text message.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    real_name = forms.CharField(
        label=gettext_lazy("Real name (optional)"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number (optional)"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _page(request: HttpRequest, form: RegisterForm, error: str = "", status: int = 200) -> HttpResponse:
    phone = request.session.get(REG_PHONE, "")
    return render(
        request,
        "accounts/resident_register.html",
        {
            "form": form,
            "error": error,
            "sent_to": mask_phone(phone) if phone else "",
            "demo_sms": request.session.get(REG_DEMO_SMS, ""),
        },
        status=status,
    )


@sensitive_post_parameters("code", "id_number")
@never_cache
@require_http_methods(["GET", "POST"])
def resident_register(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(REG_PHONE, "")
    if request.method == "GET" or not phone:
        return _page(request, RegisterForm())
    form = RegisterForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    result = registration.account_register(
        phone=phone,
        code=form.cleaned_data["code"],
        real_name=form.cleaned_data["real_name"],
        id_number=form.cleaned_data["id_number"],
        ip=client_ip(request),
    )
    if result.fields:
        for name, message in result.fields.items():
            form.add_error(name if name in form.fields else None, message)
        return _page(request, form, result.error)
    if not result.ok or result.user is None:
        return _page(request, RegisterForm(), result.error, status=429 if result.locked_seconds else 200)
    request.session.pop(REG_PHONE, None)
    request.session.pop(REG_DEMO_SMS, None)
    # The same words for a new account and an existing one: the code proved the phone, nothing else is told.
    messages.success(request, _("Welcome: you are signed in."))
    return _finish_login(request, result.user, staff=False, method="register", next_url="/")


@never_cache
@require_POST
def resident_register_code(request: HttpRequest) -> HttpResponse:
    form = ResidentCodeRequestForm(request.POST)
    try:
        phone = validate_phone(form.data.get("phone", "")) if form.is_valid() else ""
    except ValidationError as exc:
        return _page(request, RegisterForm(), " ".join(exc.messages), status=400)
    if not phone:
        return _page(request, RegisterForm(), _("Enter your mobile phone."), status=400)
    result = registration.account_register_send_code(phone=phone, ip=client_ip(request))
    if result.error:
        return _page(request, RegisterForm(), result.error, status=429)
    request.session[REG_PHONE] = phone
    if result.demo_sms:
        request.session[REG_DEMO_SMS] = result.demo_sms
    else:
        request.session.pop(REG_DEMO_SMS, None)
    return redirect(f"{reverse('accounts:resident_register')}?sent=1")
