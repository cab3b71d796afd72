"""Template context for every page: elder mode (适老化), and what the signed-in person may open."""

from django.http import HttpRequest

from shequ.core.prefs import ELDER_COOKIE, elder_mode

__all__ = ["ELDER_COOKIE", "ui"]


def ui(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    staff = False
    if user is not None and user.is_authenticated:
        from shequ.access.scoping import can
        from shequ.accounts.roles import Action

        staff = can(user, Action.CONSOLE)
    unread = 0
    if user is not None and user.is_authenticated and not staff:
        from shequ.messages.selectors import unread_count_for

        unread = unread_count_for(user=user)  # one indexed count (the unread partial index)
    return {"elder": elder_mode(request), "is_staff_user": staff, "unread_messages": unread}
