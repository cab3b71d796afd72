"""A person's display preferences that any page may read (DESIGN.md: core is below every app)."""

from django.http import HttpRequest

# Elder mode (适老化): larger text and targets, fewer items per screen. Set by web.prefs.toggle_elder.
ELDER_COOKIE = "shequ_elder"


def elder_mode(request: HttpRequest) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"
