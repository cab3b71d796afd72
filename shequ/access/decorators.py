"""Page guards. Anonymous → sign-in page; signed in without the action anywhere → 403.

A staff action (any but a resident's own) also needs a staff session, signed in with password + TOTP: a session
from the residents' sign-in is sent to the staff sign-in even if the user holds the action (defence in depth
beside accounts.middleware.StaffSignInMiddleware, which ends such sessions).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from shequ.accounts.middleware import is_staff_session
from shequ.accounts.roles import is_staff_action

from .scoping import can


def require_action(action: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                raise PermissionDenied
            if is_staff_action(action) and not is_staff_session(request):
                return redirect_to_login(request.get_full_path())
            return view(request, *args, **kwargs)

        wrapped.shequ_required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
