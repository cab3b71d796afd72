"""Django's admin for the platform's operators, behind the same door as the console: password + TOTP.

Django's own admin login asks for a password alone, with no throttle and no audit entry, so an operator account
(`is_staff`) would be a way in around the second factor. Here the admin's login sends everyone to the staff sign-in
(`/accounts/login/`: password, TOTP, throttle, audit), and the admin opens only for a session that came through it
(the staff flag), as `require_action` and the API's session auth do for the console.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .middleware import STAFF_SESSION_FLAG


class ShequAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and bool(request.session.get(STAFF_SESSION_FLAG))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index", current_app=self.name),
            login_url=reverse("accounts:login"),
        )
