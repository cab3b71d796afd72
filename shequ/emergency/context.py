"""The portal's warning banner (every page of a signed-in resident, elder mode too): warnings in force that
reached him, and lifted ones that ask whether he is safe. One indexed query; staff pages show none."""

from django.http import HttpRequest


def banner(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if (
        user is None
        or not user.is_authenticated
        or request.path.startswith(("/console/", "/admin/", "/api/"))
    ):
        return {}
    from .choices import LEVEL_BADGE
    from .selectors import banner_for

    rows = banner_for(user=user)
    return {"emergency_banner": rows, "emergency_badge": LEVEL_BADGE} if rows else {}
