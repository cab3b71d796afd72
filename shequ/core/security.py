"""Security headers on every response, including a strict Content-Security-Policy.

Django 5.2 has no built-in CSP (it arrives in 6.0). Our pages load scripts and styles only from our own static
files (no CDN, no inline script), so the policy can be strict.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = "; ".join(f"{k} {v}" for k, v in settings.SHEQU_CSP.items())

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The interactive API docs page needs its own inline bootstrap; everything else gets the strict policy.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Django's JsonResponse (the API boundary's errors, health probes, reveals) names no charset, unlike ninja's
        # answers and the pages; its body is UTF-8 (ASCII, even), so say so on every JSON body (ASVS 4.1.1).
        kind = response.get("Content-Type", "")
        if kind.split(";")[0].strip().endswith("json") and "charset=" not in kind.lower():
            response["Content-Type"] = f"{kind}; charset=utf-8"
        return response
