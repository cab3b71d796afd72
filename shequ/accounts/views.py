"""Sign-in pages. Thin: forms → shequ.accounts.auth services → django.contrib.auth.login."""

from __future__ import annotations

import time

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from shequ.audit.services import audit_record
from shequ.core.idnumbers import validate_phone
from shequ.core.masking import mask_phone

from . import auth
from .forms import ResidentCodeForm, ResidentCodeRequestForm, ResidentPasswordForm, StaffLoginForm, TotpForm
from .middleware import LAST_SEEN, SIGNED_IN_AT, STAFF_SESSION_FLAG
from .models import User

PENDING_USER = "shequ_pending_2fa_user"
PENDING_AT = "shequ_pending_2fa_at"
PENDING_NEXT = "shequ_pending_next"
PENDING_TTL = 300
OTP_PHONE = "shequ_otp_phone"
# The demo channel's text message, kept for the page of the session that asked for it (never in production).
DEMO_SMS = "shequ_demo_sms"


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _safe_next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return default


def _finish_login(
    request: HttpRequest, user: User, *, staff: bool, method: str, next_url: str
) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(DEMO_SMS, None)
    if staff:
        request.session[STAFF_SESSION_FLAG] = True
        request.session[LAST_SEEN] = request.session[SIGNED_IN_AT] = int(time.time())
    else:
        request.session.pop(STAFF_SESSION_FLAG, None)
    audit_record(
        action="auth.login", actor=user, object_repr=user.username, changes={"method": {"after": method}}
    )
    return redirect(next_url)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def staff_login(request: HttpRequest) -> HttpResponse:
    form = StaffLoginForm(request.POST or None)
    error, locked = "", 0
    if request.method == "POST" and form.is_valid():
        result = auth.login_with_password(
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
            ip=client_ip(request),
            staff=True,
        )
        if result.ok and result.user is not None:
            request.session.cycle_key()
            request.session[PENDING_USER] = result.user.pk
            request.session[PENDING_AT] = int(time.time())
            request.session[PENDING_NEXT] = _safe_next(request, "/console/")
            return redirect("accounts:totp")
        error, locked = result.error, result.locked_seconds
        if any(ch.isdigit() for ch in form.cleaned_data["identifier"]):
            form = StaffLoginForm()  # a phone number typed as the identifier is not echoed back
    return render(
        request,
        "accounts/staff_login.html",
        {
            "form": form,
            "error": error,
            "expired": request.GET.get("expired"),
            "next": request.GET.get("next", ""),
        },
        status=429 if locked else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def staff_totp(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if not user_id or time.time() - started > PENDING_TTL:
        request.session.pop(PENDING_USER, None)
        return redirect("accounts:login")
    user = User.objects.get(pk=user_id)
    if not user.totp_secret:
        # First sign-in of a new staff member: show the secret once to enrol an authenticator app.
        auth.totp_setup(user)
    form = TotpForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = auth.verify_totp(user=user, code=form.cleaned_data["code"], ip=client_ip(request))
        if result.ok:
            next_url = request.session.pop(PENDING_NEXT, "/console/")
            request.session.pop(PENDING_USER, None)
            return _finish_login(request, user, staff=True, method="password+totp", next_url=next_url)
        error = result.error
    enrol = user.totp_confirmed_at is None
    return render(
        request,
        "accounts/staff_totp.html",
        {
            "form": form,
            "error": error,
            "enrol": enrol,
            "secret": user.totp_secret if enrol else "",
            "uri": auth.totp_for(user).provisioning_uri() if enrol else "",
        },
    )


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def resident_login(request: HttpRequest) -> HttpResponse:
    """Phone + password, or phone + text-message code.

    Personal data never comes back in the page: after a failed attempt the forms are shown empty, and the phone
    a code was sent to stays in the session (shown masked), never in a URL or a hidden field.
    """
    method = request.POST.get("method") if request.method == "POST" else None
    remembered = request.session.get(OTP_PHONE, "")
    # Two forms on one page: distinct element ids (labels and tests address them), same field names.
    password_form = ResidentPasswordForm(request.POST if method == "password" else None, auto_id="pw_%s")
    code_form = ResidentCodeForm(request.POST if method == "code" else None, auto_id="code_%s")
    error = ""
    if method == "password" and password_form.is_valid():
        result = auth.login_with_password(
            identifier=_phone_or_raw(password_form.cleaned_data["phone"]),
            password=password_form.cleaned_data["password"],
            ip=client_ip(request),
            staff=False,
        )
        if result.ok and result.user is not None:
            return _finish_login(
                request, result.user, staff=False, method="password", next_url=_safe_next(request, "/")
            )
        error, password_form = result.error, ResidentPasswordForm(auto_id="pw_%s")
    elif method == "code" and code_form.is_valid():
        phone = _phone_or_raw(code_form.cleaned_data["phone"] or remembered)
        result = auth.otp_verify(phone=phone, code=code_form.cleaned_data["code"], ip=client_ip(request))
        if result.ok and result.user is not None:
            request.session.pop(OTP_PHONE, None)
            return _finish_login(
                request, result.user, staff=False, method="sms_code", next_url=_safe_next(request, "/")
            )
        error, code_form = result.error, ResidentCodeForm(auto_id="code_%s")
    elif method == "password":
        password_form = ResidentPasswordForm(auto_id="pw_%s")
        error = _("Enter your mobile phone and password.")
    return render(
        request,
        "accounts/resident_login.html",
        {
            "password_form": password_form,
            "code_form": code_form,
            "error": error,
            "sent": request.GET.get("sent"),
            "sent_to": mask_phone(remembered) if remembered else "",
            "demo_sms": request.session.get(DEMO_SMS, ""),
        },
    )


def _phone_or_raw(value: str) -> str:
    try:
        return validate_phone(value)
    except ValidationError:
        return value


@never_cache
@require_POST
def resident_send_code(request: HttpRequest) -> HttpResponse:
    form = ResidentCodeRequestForm(request.POST)
    if not form.is_valid():
        return redirect("accounts:resident_login")
    try:
        phone = validate_phone(form.cleaned_data["phone"])
    except ValidationError as exc:
        return render(
            request,
            "accounts/resident_login.html",
            {
                "password_form": ResidentPasswordForm(auto_id="pw_%s"),
                "code_form": ResidentCodeForm(auto_id="code_%s"),
                "error": " ".join(exc.messages),
            },
            status=400,
        )
    result = auth.otp_send(phone=phone, ip=client_ip(request))
    if result.error:
        return render(
            request,
            "accounts/resident_login.html",
            {
                "password_form": ResidentPasswordForm(auto_id="pw_%s"),
                "code_form": ResidentCodeForm(auto_id="code_%s"),
                "error": result.error,
            },
            status=429,
        )
    request.session[OTP_PHONE] = phone
    if result.demo_sms:
        request.session[DEMO_SMS] = result.demo_sms
    else:
        request.session.pop(DEMO_SMS, None)
    return redirect(f"{reverse('accounts:resident_login')}?sent=1")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(action="auth.logout", actor=request.user, object_repr=request.user.username)
    logout(request)
    return redirect("/")
