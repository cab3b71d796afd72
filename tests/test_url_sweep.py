"""Every URL outside an explicit public allow-list refuses anonymous users (issue: access model)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Routes anyone may open. Everything else must answer 401 (API), 302 to a sign-in page, or 403.
PUBLIC = [
    r"^$",
    r"^healthz$",
    r"^readyz$",
    r"^api/v1/openapi\.json$",
    r"^api/v1/docs",
    r"^api/v1/areas",
    r"^accounts/login/",
    r"^accounts/resident/",
    r"^accounts/logout/$",
    r"^i18n/",
    r"^prefs/elder/$",  # sets the elder-mode cookie, nothing else
    r"^static/",
    r"^media/",
    r"^admin/login/$",  # the operators' sign-in page
    r"^admin/logout/$",
    r"^api/v1/$",  # django-ninja's namespace root: 404 for everyone, no view behind it
    r"^open311/v2/",  # Open311 GeoReport v2 is public by the spec; its POSTs need an api_key instead
    r"^api/v1/facilities",  # the facility registry is public information (read-only API)
    r"^api/v1/notices",  # published notices are public, like the /notices/ pages (read-only API)
    r"^services/",  # 附近服务: public facility search and its area-picker fragment (GET only)
    r"^notices/",  # 通知公告: published notices are public, like a community's notice board (GET only)
    r"^api/v1/venues",  # bookable venues and their free slots are public (read-only; booking is /api/v1/bookings)
    r"^venues/$",  # 场地预约: the venue list (GET only)
    r"^venues/<int:pk>/$",  # 场地预约: a venue's day of slots, free or taken, no names (GET only)
    r"^venues/<int:pk>/photos/<str:name>/$",  # a venue's photos, served as images only (GET only)
    r"^api/v1/care-places",  # 托 places and their places left per day (read-only; booking needs a sign-in)
    r"^daycare/$",  # 托位预约: the list of care places (GET only)
    r"^daycare/<int:pk>/$",  # one care place and its places left per day, no names (GET only)
    r"^api/v1/events$",  # published community events and courses (read-only)
    r"^activities/$",  # 活动与课程: published events and courses (GET only)
    r"^activities/<int:pk>/$",  # one published activity: its sessions and places left, no names (GET only)
    r"^calendar/community/",  # a community's published activities as an iCalendar feed
    # 志愿服务 (issue 24): published activities, teams, stations, certificate verification; the figures (aggregates)
    r"^volunteers/$",
    r"^volunteers/activities/",
    r"^volunteers/teams/<int:pk>/$",  # a team's page; joining it (teams/<pk>/<action>/) needs a sign-in
    r"^volunteers/stations/",
    r"^volunteers/verify/",
    r"^api/v1/volunteers/figures$",
    r"^api/v1/volunteer-activities/upcoming$",
    # 三项清单 and 议事协商 (issue 26): a community's lists, meetings and topics are public (GET; posting needs a sign-in)
    r"^api/v1/(needs|resources|meetings)$",
    r"^participation/$",
    r"^participation/(needs|projects|meetings)/<int:pk>/$",
    r"^participation/topics/<int:pk>/$",
    # 民生微实事 公示 (issue 26): a round's published result, its projects, spending and acceptance photos (GET only)
    r"^microprojects/(disclosure|projects|photos)/<int:pk>/$",
    # 信用公示 (issue 27): the year's incentive and risk lists of companies (GET only; managers' names masked)
    r"^credit/$",
]

# Routes whose POST anyone may use, by design: public intake of appeals (FixMyStreet-style; the contact is kept
# private and validated like any other). Their GET still refuses anonymous users.
PUBLIC_POST = [r"^api/v1/appeals$", r"^api/v1/appeals/with-photos$"]

# Routes that answer an anonymous user 404, as they answer anyone the object is hidden from: a photo of an appeal
# does not exist for a visitor who is not signed in (no sign-in redirect that would confirm it does; issue 19).
NOT_FOUND_TO_ANONYMOUS = [r"^appeals/photos/", r"^calendar/me/"]  # a personal feed: its address is its key

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def _routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    return "/" + route.replace("\\", "")


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    if response.status_code == 302:
        return "login" in response["Location"] or response["Location"].startswith("/accounts/resident/")
    return False


ROUTES = sorted(set(_routes()))
PROTECTED = [r for r in ROUTES if not any(re.match(p, r) for p in PUBLIC)]


def test_the_sweep_sees_the_protected_routes():
    assert any(r.startswith("api/v1/") and "residents" in r for r in ROUTES)
    assert any(r.startswith("console/") for r in ROUTES)
    assert len(ROUTES) > 20


@pytest.mark.parametrize("route", PROTECTED)
def test_anonymous_users_are_refused_everywhere_but_the_public_allow_list(client, route):
    url = _concrete(route)
    tried = []
    for method in ("get", "post"):
        if method == "post" and any(re.match(p, route) for p in PUBLIC_POST):
            continue
        response = getattr(client, method)(url)
        tried.append((method, response.status_code))
        if response.status_code == 405:
            continue  # this route does not take this method; try the other one
        hidden = response.status_code == 404 and any(re.match(p, route) for p in NOT_FOUND_TO_ANONYMOUS)
        assert _refused(response) or hidden, (
            f"{method.upper()} {url} answered {response.status_code} to an anonymous user"
        )
    assert any(code != 405 for _, code in tried) or any(re.match(p, route) for p in PUBLIC_POST), tried
