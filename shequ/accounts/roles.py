"""Roles and what each may do: one table you can read on one screen.

A user's power is the union of his active grants; each grant is (role, area, unit?). An action is allowed
for a role only if it is listed here; *where* it is allowed comes from the grant's area. The three separated
admins (三员分立) never hold each other's actions: the system admin cannot read the audit trail or change grants
alone (he may only request a grant, which the security admin approves); the audit admin can only read.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    STREET_OFFICER = "street_officer", _("Street officer")
    DEPARTMENT_HANDLER = "department_handler", _("District department handler")
    DISPATCHER = "dispatcher", _("12345 dispatcher")
    CITY_ADMIN = "city_admin", _("City administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class Action:
    """Named actions. Modules check these, never role names."""

    RESIDENTS_VIEW = "residents.view"
    RESIDENTS_VIEW_MINORS = "residents.view_minors"  # PIPL Art. 28: under-14s are sensitive
    RESIDENTS_REVEAL = "residents.reveal"
    RESIDENTS_EDIT = "residents.edit"
    RESIDENTS_IMPORT = "residents.import"
    RESIDENTS_EXPORT = "residents.export"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    GRANTS_MANAGE = "grants.manage"
    GRANTS_REQUEST = "grants.request"
    USERS_MANAGE = "users.manage"
    UNITS_MANAGE = (
        "units.manage"  # the organisations that handle work and where they sit (system configuration)
    )
    TOKENS_MANAGE = "tokens.manage"
    SECURITY_UNLOCK = "security.unlock"
    OUTBOX_VIEW = "outbox.view"
    CONSOLE = "console.enter"
    APPEALS_VIEW = "appeals.view"
    APPEALS_INTAKE = "appeals.intake"  # record an appeal on someone's behalf (hotline, grid patrol)
    APPEALS_DISPATCH = "appeals.dispatch"
    APPEALS_HANDLE = "appeals.handle"  # act for a unit the appeal is assigned to
    # See what the resident typed (text, address, contact) unmasked, with a purpose, audited: those who call back.
    APPEALS_REVEAL = "appeals.reveal"
    APPEALS_SUPERVISE = "appeals.supervise"
    APPEALS_KPI = "appeals.kpi"
    APPEALS_RULES = "appeals.rules"  # maintain the responsibility list
    WARNINGS_VIEW = "warnings.view"  # early warnings (弱信号预警) and the monthly top problems (每月一题)
    WARNINGS_DECIDE = "warnings.decide"  # acknowledge, dismiss, or turn into a proactive task (未诉先办)
    FACILITIES_MANAGE = "facilities.manage"  # keep the facility registry of one's areas (shequ/facilities)
    NOTICES_PUBLISH = "notices.publish"  # 通知公告 for the areas of one's grants (shequ/notices)
    # Volunteer teams, stations and activities of one's areas; confirm hours, approve 补录 (shequ/volunteers).
    VOLUNTEERS_MANAGE = "volunteers.manage"
    # The time bank (shequ/timebank): community pools, the settlement report, exports of the ledger.
    TIMEBANK_MANAGE = "timebank.manage"
    # Credits issued by the government to key elderly (政府发放时间币), from the issuing account, audited.
    TIMEBANK_ISSUE = "timebank.issue"
    # Owners' decisions (shequ/owners): unit registers, votes for the owners, paper and proxy ballots, results.
    OWNERS_MANAGE = "owners.manage"
    # Venues of one's areas (shequ/venues): their rules, the day's bookings, approvals and check-in at the desk.
    VENUES_MANAGE = "venues.manage"
    # The registries the plan counts (shequ/registries): sub-committees, 法律明白人, social organisations, 社区学校 …
    REGISTRIES_MANAGE = "registries.manage"
    # Care for people in difficulty (shequ/care). Special-group membership is PIPL sensitive personal information:
    # only those who serve these people in their area see it, every view audited.
    CARE_GROUPS_VIEW = "care.groups_view"
    CARE_GROUPS_EDIT = "care.groups_edit"  # record a membership with evidence, source and review date
    CARE_REPORT = "care.report"  # report a person in difficulty (grid report) or a child at risk (强制报告)
    CARE_TRIAGE = "care.triage"  # the discovery queue: open a case from an entry, or dismiss it with a reason
    CARE_CASES = "care.cases"  # social-work cases: assess, plan, serve, refer, review, close; service orders
    CARE_SUPERVISE = "care.supervise"  # caseloads, overdue cases and visits, stations (names masked)
    CARE_REFERRALS = "care.referrals"  # a department's referrals and minors' protection reports
    # 民生微实事 rounds (shequ/microprojects): review proposals, enter paper ballots, approve, spending, acceptance.
    MICROPROJECTS_MANAGE = "microprojects.manage"
    # Emergency management (shequ/emergency): plans, shelters, supplies, drills and emergency teams of one's areas.
    EMERGENCY_MANAGE = "emergency.manage"
    # Publish an emergency warning (预警) to everyone in the areas of one's grants.
    EMERGENCY_PUBLISH = "emergency.publish"
    # The call list of vulnerable people a warning has not reached or who have not confirmed it; follow-up after it.
    EMERGENCY_CALL = "emergency.call"
    # The three lists and deliberation (shequ/participation): match needs, resources, projects; meetings, topics.
    PARTICIPATION_MANAGE = "participation.manage"
    # Surveys (shequ/surveys): build, target, sample, remind; response rates and results of one's areas.
    SURVEYS_MANAGE = "surveys.manage"
    # Credit of property and domestic-service companies (shequ/credit): inspections, yearly lists, evidence.
    CREDIT_MANAGE = "credit.manage"
    # The plan's indicators per area and its task ledger (shequ/indicators): 规划监测, the yearly report.
    INDICATORS_VIEW = "indicators.view"
    # Report progress on the plan's tasks of one's areas and complete them with evidence (任务清单和工作台账).
    PLAN_TASKS_MANAGE = "indicators.tasks_manage"


A = Action
_STAFF = {A.CONSOLE}
_HANDLER = {A.APPEALS_VIEW, A.APPEALS_HANDLE, A.APPEALS_KPI, A.APPEALS_REVEAL}
_WARNINGS = {A.WARNINGS_VIEW, A.WARNINGS_DECIDE}
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.RESIDENT: frozenset(),
    Role.GRID_WORKER: frozenset(
        _STAFF
        | _HANDLER
        | {A.APPEALS_INTAKE, A.RESIDENTS_VIEW, A.RESIDENTS_VIEW_MINORS, A.RESIDENTS_REVEAL, A.RESIDENTS_EDIT}
        | {A.EMERGENCY_CALL}
        | {A.WARNINGS_VIEW}
        | {A.CARE_GROUPS_VIEW, A.CARE_REPORT}
    ),
    # The social worker of a street's social-work station (社工站, 双百): cases from discovery to closing.
    Role.SOCIAL_WORKER: frozenset(
        _STAFF
        | {A.RESIDENTS_VIEW, A.RESIDENTS_VIEW_MINORS}
        | {A.CARE_GROUPS_VIEW, A.CARE_GROUPS_EDIT, A.CARE_REPORT, A.CARE_TRIAGE, A.CARE_CASES}
    ),
    Role.COMMUNITY_WORKER: frozenset(
        _STAFF
        | {A.INDICATORS_VIEW}
        | _HANDLER
        | {
            A.APPEALS_INTAKE,
            A.RESIDENTS_VIEW,
            A.RESIDENTS_VIEW_MINORS,
            A.RESIDENTS_REVEAL,
            A.RESIDENTS_EDIT,
            A.RESIDENTS_IMPORT,
            A.RESIDENTS_EXPORT,
        }
        | _WARNINGS
        | {A.NOTICES_PUBLISH, A.VOLUNTEERS_MANAGE}
        | {A.EMERGENCY_MANAGE, A.EMERGENCY_CALL}
        | {A.TIMEBANK_MANAGE, A.TIMEBANK_ISSUE}
        | {A.VENUES_MANAGE}
        | {A.REGISTRIES_MANAGE}
        | {A.OWNERS_MANAGE, A.MICROPROJECTS_MANAGE, A.PARTICIPATION_MANAGE}
        | {A.SURVEYS_MANAGE}
        | {A.CARE_GROUPS_VIEW, A.CARE_GROUPS_EDIT, A.CARE_REPORT, A.CARE_TRIAGE}
    ),
    Role.STREET_OFFICER: frozenset(
        _STAFF
        | {A.INDICATORS_VIEW, A.PLAN_TASKS_MANAGE}
        | _HANDLER
        | _WARNINGS
        | {A.APPEALS_SUPERVISE, A.RESIDENTS_VIEW, A.RESIDENTS_REVEAL, A.RESIDENTS_EXPORT, A.NOTICES_PUBLISH}
        | {A.FACILITIES_MANAGE, A.VOLUNTEERS_MANAGE}
        | {A.EMERGENCY_MANAGE, A.EMERGENCY_PUBLISH, A.EMERGENCY_CALL}
        | {A.TIMEBANK_MANAGE, A.TIMEBANK_ISSUE}
        | {A.VENUES_MANAGE}
        | {A.REGISTRIES_MANAGE}
        | {A.OWNERS_MANAGE, A.MICROPROJECTS_MANAGE, A.PARTICIPATION_MANAGE}
        | {A.SURVEYS_MANAGE, A.CREDIT_MANAGE}
        | {A.CARE_SUPERVISE}
    ),
    Role.DEPARTMENT_HANDLER: frozenset(
        _STAFF | _HANDLER | {A.INDICATORS_VIEW, A.PLAN_TASKS_MANAGE} | {A.CARE_REFERRALS}
    ),
    # The 12345 dispatcher: takes calls, dispatches, decides returns, extensions, merges and rejections.
    Role.DISPATCHER: frozenset(
        _STAFF
        | {
            A.APPEALS_VIEW,
            A.APPEALS_INTAKE,
            A.APPEALS_DISPATCH,
            A.APPEALS_REVEAL,
            A.APPEALS_SUPERVISE,
            A.APPEALS_KPI,
            A.APPEALS_RULES,
        }
        | _WARNINGS
    ),
    Role.CITY_ADMIN: frozenset(
        _STAFF
        | {A.INDICATORS_VIEW, A.PLAN_TASKS_MANAGE}
        | _WARNINGS
        | {A.NOTICES_PUBLISH, A.FACILITIES_MANAGE, A.VOLUNTEERS_MANAGE}
        | {A.EMERGENCY_MANAGE, A.EMERGENCY_PUBLISH}
        | {A.TIMEBANK_MANAGE, A.VENUES_MANAGE, A.OWNERS_MANAGE, A.MICROPROJECTS_MANAGE}
        | {A.REGISTRIES_MANAGE}
        | {A.PARTICIPATION_MANAGE}
        | {A.SURVEYS_MANAGE, A.CREDIT_MANAGE}
        | {A.CARE_SUPERVISE}
        | {A.APPEALS_VIEW, A.APPEALS_SUPERVISE, A.APPEALS_KPI, A.RESIDENTS_VIEW, A.RESIDENTS_EXPORT}
    ),
    Role.SYSTEM_ADMIN: frozenset(_STAFF | {A.USERS_MANAGE, A.UNITS_MANAGE, A.GRANTS_REQUEST, A.OUTBOX_VIEW}),
    Role.SECURITY_ADMIN: frozenset(_STAFF | {A.GRANTS_MANAGE, A.TOKENS_MANAGE, A.SECURITY_UNLOCK}),
    Role.AUDIT_ADMIN: frozenset(_STAFF | {A.AUDIT_VIEW, A.AUDIT_EXPORT}),
}

STAFF_ROLES = frozenset(r for r in Role.values if r != Role.RESIDENT)
# Roles whose grants the system admin may only request; the security admin decides.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def role_allows(role: str, action: str) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())


def is_staff_action(action: str) -> bool:
    """Any action but a resident's own: it needs a staff sign-in (password + TOTP), not only a grant."""
    return action not in ROLE_ACTIONS[Role.RESIDENT]
