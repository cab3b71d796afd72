"""The staff console shell: the home with what this user may open, and the message outbox."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from shequ.access.decorators import require_action
from shequ.access.scoping import can, user_roles
from shequ.accounts.models import OutboxMessage
from shequ.accounts.roles import Action, Role
from shequ.care.choices import CONSOLE_SECTIONS as CARE_SECTIONS
from shequ.credit.choices import CONSOLE_SECTIONS as CREDIT_SECTIONS
from shequ.emergency.choices import CONSOLE_SECTIONS as EMERGENCY_SECTIONS
from shequ.facilities.choices import CIRCLE_TITLE
from shequ.indicators.choices import CONSOLE_SECTIONS as INDICATORS_SECTIONS
from shequ.registries.choices import REGISTRIES_TITLE
from shequ.surveys.choices import CONSOLE_SECTIONS as SURVEYS_SECTIONS

SECTIONS = [
    (Action.APPEALS_VIEW, "appeals:console_list", _("Appeals")),
    (Action.APPEALS_VIEW, "appeals:console_emergencies", _("Emergency queue")),
    (Action.APPEALS_KPI, "dashboards:dashboard", _("Leaders' dashboard")),
    *INDICATORS_SECTIONS,
    (Action.WARNINGS_VIEW, "earlywarning:console_list", _("Early warnings")),
    (Action.RESIDENTS_VIEW, "residents:console_list", _("Residents")),
    (Action.NOTICES_PUBLISH, "notices:console", _("Notices")),
    (Action.USERS_MANAGE, "web:staff_list", _("Staff accounts")),
    (Action.UNITS_MANAGE, "web:units", _("Units")),
    (Action.APPEALS_RULES, "appeals:rules", _("Responsibility list")),
    (Action.APPEALS_RULES, "appeals:categories", _("Appeal categories")),
    (Action.FACILITIES_MANAGE, "facilities:console_list", _("Facilities")),
    (Action.FACILITIES_MANAGE, "facilities:circle", CIRCLE_TITLE),
    (Action.REGISTRIES_MANAGE, "registries:home", REGISTRIES_TITLE),
    (Action.VOLUNTEERS_MANAGE, "volunteers:console", _("Volunteer service")),
    (Action.VENUES_MANAGE, "venues:console_list", _("Venues")),
    (Action.VENUES_MANAGE, "venues:console_activities", _("Activities and courses")),
    (Action.OWNERS_MANAGE, "owners:console_home", _("Owners' decisions")),
    *SURVEYS_SECTIONS,
    *CREDIT_SECTIONS,
    (Action.TIMEBANK_MANAGE, "timebank:console", _("Time bank")),
    *CARE_SECTIONS,
    *EMERGENCY_SECTIONS,
    (Action.GRANTS_MANAGE, "web:grants", _("Grant requests")),
    (Action.AUDIT_VIEW, "audit:console_list", _("Audit trail")),
    (Action.OUTBOX_VIEW, "web:outbox", _("Message outbox")),
]


@require_action(Action.CONSOLE)
def console_home(request: HttpRequest) -> HttpResponse:
    from shequ.appeals.views_console import console_todo

    sections = [(url, label) for action, url, label in SECTIONS if can(request.user, action)]
    roles = [Role(r).label for r in sorted(user_roles(request.user)) if r in Role.values]
    # What waits for this person, per queue of his role (one counting query per role group).
    todo = console_todo(request.user) if can(request.user, Action.APPEALS_VIEW) else []
    return render(request, "web/console_home.html", {"sections": sections, "roles": roles, "todo": todo})


@require_action(Action.OUTBOX_VIEW)
def outbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        OutboxMessage.objects.only("channel", "recipient_masked", "body", "purpose", "created_at"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "web/outbox.html", {"page": page})
