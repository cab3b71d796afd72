"""Changing one's password (ASVS 6.2.2/6.2.3), for staff and residents alike: the current password and the new one
twice. Thin: the form → passwords.password_change → the session kept under a new key, every other one ended."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .middleware import is_staff_session
from .passwords import password_change
from .views import _safe_next, client_ip


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=gettext_lazy("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=gettext_lazy("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


@sensitive_post_parameters("current_password", "new_password", "new_password_again")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        errors = password_change(
            user=request.user,  # type: ignore[arg-type]
            current=form.cleaned_data["current_password"],
            new=form.cleaned_data["new_password"],
            ip=client_ip(request),
        )
        if not errors:
            # A new session key for this browser, the new password's HMAC in it; other sessions no longer match.
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(
                request, _("Your password was changed. You were signed out on every other device.")
            )
            return redirect(_safe_next(request, "/console/" if is_staff_session(request) else "/"))
        form = PasswordChangeForm()  # no password is ever sent back in the page
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "errors": errors,
            "rules": password_validators_help_texts(),
            # Sent here by PasswordChangeRequiredMiddleware: an administrator's temporary password.
            "temporary": getattr(request.user, "password_must_change", False),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )
