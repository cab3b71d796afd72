"""Every endpoint and page of the project, and what guards it (DESIGN.md §8; issue 19).

shequ/access/tests/test_permission_registry.py enumerates the project's URL patterns (every django-ninja operation
under /api/v1/ by method, every page and Open311 route) and fails when one has no entry here, when an entry names a
route that no longer exists, or when a named test cannot be imported. So a new endpoint cannot arrive unguarded and
untested without someone writing down, here, why.

Keys: `"GET /api/v1/appeals/{appeal_id}"` for an API operation (its method and its path as the OpenAPI schema writes
it); `"/console/appeals/<int:pk>/"` for a page (its route as urls.py writes it, Open311's regular expressions
simplified to `<name>`); a key ending in `*` covers every route under it (Django's own admin only).

Values:
- `Matrix(test, ...)`: the tests that walk the route's permission matrix with PermissionMatrixMixin
  (anonymous refused, no role 403/404, in scope succeeds, out of scope 404 like a missing object). A page taking
  both GET and POST names a test for each.
- `Guarded(reason, test, ...)`: protected by something other than the platform's grants (Django's admin, an Open311
  partner's api_key); the reason says what, the tests show it.
- `Public(reason)`: open to anonymous visitors on purpose; the reason says why. tests/test_url_sweep.py's allow-list
  must agree.

Tests are named `dotted.module::Class::test_name` or `dotted.module::test_name`.
"""

from __future__ import annotations


class Matrix:
    def __init__(self, *tests: str) -> None:
        self.tests = tests


class Guarded:
    def __init__(self, reason: str, *tests: str) -> None:
        self.reason, self.tests = reason, tests


class Public:
    def __init__(self, reason: str) -> None:
        self.reason, self.tests = reason, ()


Entry = Matrix | Guarded | Public

APPEALS_API = "shequ.appeals.tests.test_api::TestAppealEndpoints"
APPEALS = "shequ.appeals.tests.test_permission_matrix"
RESIDENTS_API = "shequ.residents.tests.test_api::TestResidentEndpoints"
RESIDENTS = "shequ.residents.tests.test_permission_matrix"
DISPATCH_API = "shequ.dispatch.tests.test_api::TestDispatchEndpoints"
DUPLICATES = "shequ.dispatch.tests.test_duplicates"
WARNINGS_API = "shequ.earlywarning.tests.test_api::TestPermissionMatrix"
WARNINGS_PAGES = "shequ.earlywarning.tests.test_views::TestConsolePage"
SEPARATION = "shequ.access.tests.test_separation_of_duties"
STAFF = "shequ.web.tests.test_staff::TestPermissionMatrix"
UNITS = "shequ.web.tests.test_units::TestPermissionMatrix"
RULES = "shequ.appeals.tests.test_rules_console::TestPermissionMatrix"
CATEGORIES = "shequ.appeals.tests.test_categories_console::TestPermissionMatrix"
NEARBY = "shequ.appeals.tests.test_nearby::TestPermissionMatrix"
FACILITIES = "shequ.facilities.tests.test_console::TestPermissionMatrix"
CIRCLE = "shequ.facilities.tests.test_circle::TestPermissionMatrix"
REGISTRIES = "shequ.registries.tests.test_registries::TestPermissionMatrix"
VENUES_API = "shequ.venues.tests.test_api::TestPermissionMatrix"
VENUES = "shequ.venues.tests.test_views::TestPermissionMatrix"
VENUE_FORMS = "shequ.venues.tests.test_console_forms::TestPermissionMatrix"
ACTIVITIES = "shequ.venues.tests.test_activities::TestPermissionMatrix"
DAYCARE = "shequ.venues.tests.test_care::TestPermissionMatrix"
OWNERS_API = "shequ.owners.tests.test_api::TestOwnerVoteEndpoints"
OWNERS = "shequ.owners.tests.test_pages"
MICRO_API = "shequ.microprojects.tests.test_api::TestPermissionMatrix"
MICRO = "shequ.microprojects.tests.test_pages"
SURVEYS_API = "shequ.surveys.tests.test_api::TestSurveyEndpoints"
SURVEYS_PORTAL = "shequ.surveys.tests.test_pages::TestPortalPages"
SURVEYS_CONSOLE = "shequ.surveys.tests.test_pages::TestConsolePages"
CREDIT_API = "shequ.credit.tests.test_api::TestCreditListEndpoint"
CREDIT = "shequ.credit.tests.test_pages::TestCreditPages"
TIMEBANK_API = "shequ.timebank.tests.test_api::TestTimebankEndpoints"
CARE = "shequ.care.tests.test_views::TestPages"
CARE_API = "shequ.care.tests.test_views::TestApi"
PARTICIPATION_API = "shequ.participation.tests.test_api"
PARTICIPATION_PORTAL = "shequ.participation.tests.test_views::TestPortal"
PARTICIPATION_CONSOLE = "shequ.participation.tests.test_views::TestConsole"
TIMEBANK_PORTAL = "shequ.timebank.tests.test_views::TestPortalPages"
TIMEBANK_CONSOLE = "shequ.timebank.tests.test_views::TestConsolePages"
TIMEBANK_GOODS_RULES = "shequ.timebank.tests.test_console_goods_rules::TestPermissionMatrix"

VOLUNTEERS_API = "shequ.volunteers.tests.test_api"
EMERGENCY_API = "shequ.emergency.tests.test_api"
EMERGENCY = "shequ.emergency.tests.test_pages::TestPages"
EMERGENCY_POST = "shequ.emergency.tests.test_pages::TestPostPages"
EMERGENCY_FORMS = "shequ.emergency.tests.test_forms::TestPermissionMatrix"
VOLUNTEERS = "shequ.volunteers.tests.test_pages"
INDICATORS = "shequ.indicators.tests.test_pages::TestPermissionMatrix"
REGISTRY: dict[str, Entry] = {
    # --- health, API description, language ------------------------------------------------------------------------
    "/healthz": Public("process liveness for the load balancer; says nothing but ok"),
    "/readyz": Public("readiness for the load balancer: database and broker reachable, no data"),
    "/api/v1/openapi.json": Public("the API's description (OpenAPI), no data"),
    "/api/v1/docs": Public("the API's documentation page, no data"),
    "/api/v1/": Public("django-ninja's namespace root: 404 for everyone, no view behind it"),
    "/i18n/setlang/": Public("switches the interface language (a cookie), nothing else"),
    "/prefs/elder/": Public("switches elder mode (适老化, a cookie), nothing else"),
    "/": Public("the portal's home page: counts of areas, no personal data"),
    # --- sign-in --------------------------------------------------------------------------------------------------
    "/accounts/login/": Public("sign-in page: staff password step"),
    "/accounts/login/verify/": Public("sign-in page: staff TOTP step (needs the password step's session)"),
    "/accounts/resident/": Public("sign-in page: residents, phone and code or password"),
    "/accounts/resident/register/": Public(
        "registration page: a phone and a text-message code, nothing shown"
    ),
    "/accounts/resident/register/code/": Public(
        "sends a registration code: the same answer for every phone, throttled per phone and address"
    ),
    "/accounts/resident/code/": Public(
        "sign-in page: sends a resident's code, throttled, same answer for all"
    ),
    "/accounts/logout/": Public("sign-out: ends whatever session there is"),
    "/accounts/password/": Matrix(
        "shequ.accounts.tests.test_password_change::TestPasswordChangePage::test_the_page_is_for_anyone_signed_in",
        "shequ.accounts.tests.test_password_change::TestPasswordChangePage::test_posting_needs_a_sign_in",
    ),
    # --- public information ---------------------------------------------------------------------------------------
    "GET /api/v1/areas": Public("public geography: the area tree (city → building), no personal data"),
    "GET /api/v1/areas/{code}": Public("public geography: one area"),
    "GET /api/v1/areas/{code}/geometry": Public("public geography: an area's boundary"),
    "GET /api/v1/facilities/types": Public("facility registry is public information (read-only)"),
    "GET /api/v1/facilities": Public("facility registry is public information (read-only)"),
    "GET /api/v1/facilities/{facility_id}": Public("facility registry is public information (read-only)"),
    "GET /api/v1/notices": Public("published notices are public, like a notice board (read-only)"),
    "GET /api/v1/notices/{notice_id}": Public(
        "published notices are public, like a notice board (read-only)"
    ),
    "/services/": Public("附近服务: public facility search (GET only)"),
    "/services/areas/": Public("附近服务: the area picker's fragment (public geography)"),
    "/notices/": Public("通知公告: published notices are public (GET only)"),
    "/notices/<int:pk>/": Public("通知公告: one published notice (withdrawn or future ones are 404)"),
    # --- intake ---------------------------------------------------------------------------------------------------
    "POST /api/v1/appeals": Public(
        "public intake of appeals (FixMyStreet-style); the contact is kept private"
    ),
    "POST /api/v1/appeals/with-photos": Public(
        "public intake of appeals with photos, as POST /api/v1/appeals"
    ),
    "/appeals/new/": Matrix(f"{APPEALS}::TestPortalIntakePages::test_intake_pages_permission_matrix"),
    "/appeals/new/suggest/": Matrix(f"{APPEALS}::TestPortalIntakePages::test_intake_pages_permission_matrix"),
    "/appeals/new/areas/": Matrix(f"{APPEALS}::TestPortalIntakePages::test_intake_pages_permission_matrix"),
    "/appeals/new/location/": Matrix(f"{APPEALS}::TestPortalIntakePages::test_later_steps_permission_matrix"),
    "/appeals/new/confirm/": Matrix(f"{APPEALS}::TestPortalIntakePages::test_later_steps_permission_matrix"),
    # --- appeals: API ---------------------------------------------------------------------------------------------
    "GET /api/v1/appeals": Matrix(f"{APPEALS_API}::test_list_permission_matrix"),
    "GET /api/v1/appeals/{appeal_id}": Matrix(
        f"{APPEALS_API}::test_detail_permission_matrix",
        f"{APPEALS}::TestTheResidentsOwnAppeals::test_the_api_detail_of_another_residents_appeal_is_404_like_a_missing_one",
    ),
    "POST /api/v1/appeals/{appeal_id}/actions/{action}": Matrix(
        f"{APPEALS_API}::test_action_permission_matrix",
        f"{APPEALS_API}::test_a_handler_acts_only_for_his_unit",
        f"{APPEALS}::TestTheResidentsOwnAppeals::test_the_api_rating_by_another_resident_is_404_like_a_missing_one",
    ),
    "POST /api/v1/appeals/{appeal_id}/reveal": Matrix(
        "shequ.appeals.tests.test_personal_text::TestRevealEndpoints::test_api_reveal_permission_matrix"
    ),
    "GET /api/v1/appeals/kpis": Matrix(f"{APPEALS}::TestKpiEndpoint::test_kpis_permission_matrix"),
    # 附近已有相同问题？ (issue 21): any signed-in person, public-safe fields only.
    "GET /api/v1/appeals/nearby": Matrix(f"{NEARBY}::test_the_nearby_list_needs_a_sign_in"),
    "POST /api/v1/appeals/{appeal_id}/support": Matrix(
        f"{NEARBY}::test_supporting_needs_a_sign_in_and_an_existing_appeal"
    ),
    "/appeals/new/support/<int:pk>/": Matrix(
        f"{NEARBY}::test_the_form_action_needs_a_sign_in_and_an_existing_appeal"
    ),
    "GET /api/v1/appeals/rules": Matrix(f"{APPEALS}::TestRulesEndpoints::test_rules_list_permission_matrix"),
    "POST /api/v1/appeals/rules/import": Matrix(
        f"{APPEALS}::TestRulesEndpoints::test_rules_import_permission_matrix"
    ),
    # --- appeals: the resident's own pages ------------------------------------------------------------------------
    "/me/messages/": Matrix(
        "shequ.messages.tests.test_permission_matrix::TestInbox::test_inbox_permission_matrix"
    ),
    "/me/messages/<int:pk>/read/": Matrix(
        "shequ.messages.tests.test_permission_matrix::TestInbox::test_read_permission_matrix"
    ),
    "/me/messages/read-all/": Matrix(
        "shequ.messages.tests.test_permission_matrix::TestInbox::test_read_all_permission_matrix"
    ),
    "/me/messages/preferences/": Matrix(
        "shequ.messages.tests.test_permission_matrix::TestInbox::test_preferences_permission_matrix"
    ),
    "/console/appeals/<int:pk>/call/": Matrix(
        "shequ.appeals.tests.test_console::TestCallPermissionMatrix::test_call_permission_matrix"
    ),
    "/me/appeals/": Matrix(f"{APPEALS}::TestTheResidentsOwnAppeals::test_my_list_permission_matrix"),
    "/me/appeals/<int:pk>/": Matrix(
        f"{APPEALS}::TestTheResidentsOwnAppeals::test_my_detail_permission_matrix"
    ),
    "/me/appeals/<int:pk>/rate/": Matrix(
        f"{APPEALS}::TestTheResidentsOwnAppeals::test_my_rate_permission_matrix"
    ),
    # --- appeals: photos -------------------------------------------------------------------------------------------
    "/appeals/photos/<int:pk>/": Guarded(
        "scoped like its appeal (appeals.selectors.photo_get_for): the resident who submitted it and staff who may "
        "see the appeal; everyone else, anonymous visitors included, gets 404 exactly like a missing photo (no "
        "sign-in redirect, so PermissionMatrixMixin's anonymous step does not apply; the test walks the rest)",
        "shequ.appeals.tests.test_photos::TestPhotoFile::test_photo_permission_matrix",
    ),
    # --- appeals: the staff console -------------------------------------------------------------------------------
    "/console/appeals/": Matrix(
        "shequ.appeals.tests.test_pages::TestConsolePages::test_the_appeal_console_is_for_staff_in_scope"
    ),
    "/console/emergencies/": Matrix(
        "shequ.appeals.tests.test_emergency::TestEmergencyQueue::test_the_emergency_queue_permission_matrix"
    ),
    "/console/appeals/<int:pk>/": Matrix(
        "shequ.appeals.tests.test_pages::TestConsolePages::test_the_appeal_console_is_for_staff_in_scope"
    ),
    "/console/appeals/<int:pk>/<str:action>/": Matrix(
        f"{APPEALS}::TestConsoleWrites::test_console_action_permission_matrix",
        f"{APPEALS}::TestConsoleWrites::test_console_dispatch_permission_matrix",
    ),
    "/console/appeals/<int:pk>/reveal/": Matrix(
        "shequ.appeals.tests.test_personal_text::TestRevealEndpoints::test_console_reveal_permission_matrix"
    ),
    "/console/appeals/export/": Matrix(
        f"{APPEALS}::TestConsoleWrites::test_console_export_permission_matrix"
    ),
    "/console/appeals/bulk-dispatch/": Matrix(
        f"{APPEALS}::TestConsoleWrites::test_bulk_dispatch_permission_matrix"
    ),
    # --- dispatch -------------------------------------------------------------------------------------------------
    "GET /api/v1/dispatch/appeals/{appeal_id}/suggestion": Matrix(
        f"{DISPATCH_API}::test_appeal_suggestion_permission_matrix"
    ),
    "POST /api/v1/dispatch/suggest": Matrix(f"{DISPATCH_API}::test_suggest_permission_matrix"),
    "GET /api/v1/dispatch/models": Matrix(f"{DISPATCH_API}::test_models_permission_matrix"),
    "GET /api/v1/dispatch/duplicates": Matrix(
        f"{DUPLICATES}::TestDuplicateEndpoints::test_list_permission_matrix"
    ),
    "POST /api/v1/dispatch/duplicates/{duplicate_id}/merge": Matrix(
        f"{DUPLICATES}::TestDuplicateEndpoints::test_merge_permission_matrix"
    ),
    "POST /api/v1/dispatch/duplicates/{duplicate_id}/dismiss": Matrix(
        f"{DUPLICATES}::TestDuplicateEndpoints::test_dismiss_permission_matrix"
    ),
    "/console/dispatch/duplicates/<int:pk>/merge/": Matrix(
        "shequ.dispatch.tests.test_permission_matrix::TestConsoleMerge::test_console_merge_permission_matrix"
    ),
    "/console/dispatch/duplicates/<int:pk>/dismiss/": Matrix(
        f"{DUPLICATES}::test_console_decisions_permission_matrix"
    ),
    # --- early warnings -------------------------------------------------------------------------------------------
    "GET /api/v1/warnings": Matrix(f"{WARNINGS_API}::test_the_list"),
    "GET /api/v1/warnings/monthly-top": Matrix(f"{WARNINGS_API}::test_the_monthly_top"),
    "GET /api/v1/warnings/{warning_id}": Matrix(f"{WARNINGS_API}::test_the_detail"),
    "POST /api/v1/warnings/{warning_id}/actions/{action}": Matrix(f"{WARNINGS_API}::test_each_decision"),
    "/console/warnings/": Matrix(f"{WARNINGS_PAGES}::test_the_list_page"),
    "/console/warnings/<int:pk>/<str:action>/": Matrix(f"{WARNINGS_PAGES}::test_a_decision"),
    # --- residents ------------------------------------------------------------------------------------------------
    "GET /api/v1/residents": Matrix(f"{RESIDENTS_API}::test_list_permission_matrix"),
    "GET /api/v1/residents/{resident_id}": Matrix(f"{RESIDENTS_API}::test_detail_permission_matrix"),
    "POST /api/v1/residents/{resident_id}/reveal": Matrix(f"{RESIDENTS_API}::test_reveal_permission_matrix"),
    "POST /api/v1/residents/import": Matrix(
        "shequ.residents.tests.test_import::TestImportEndpoint::test_anonymous_gets_401_no_role_403_and_lina_imports"
    ),
    "GET /api/v1/residents/export": Matrix(
        "shequ.residents.tests.test_export::TestExportEndpoint::test_anonymous_gets_401_no_role_403_and_lina_200"
    ),
    "/console/residents/": Matrix(
        "shequ.web.tests.test_console::TestConsole::test_the_residents_page_is_scoped"
    ),
    "/console/residents/<int:pk>/reveal/": Matrix(
        f"{RESIDENTS}::TestConsoleReveal::test_console_reveal_permission_matrix"
    ),
    "/console/residents/import/": Matrix(
        f"{RESIDENTS}::TestConsoleImport::test_console_import_page_permission_matrix",
        f"{RESIDENTS}::TestConsoleImport::test_console_import_upload_permission_matrix",
    ),
    "/console/residents/export/": Matrix(
        f"{RESIDENTS}::TestConsoleExport::test_console_export_permission_matrix"
    ),
    # --- audit, dashboard, notices, console shell -----------------------------------------------------------------
    "/console/audit/": Matrix(
        "shequ.audit.tests.test_console::TestAuditPages::test_only_the_audit_admin_reads_the_trail"
    ),
    "/console/audit/export/": Matrix(
        "shequ.audit.tests.test_permission_matrix::TestAuditExport::test_audit_export_permission_matrix"
    ),
    "/dashboard/": Matrix(
        "shequ.dashboards.tests.test_dashboard::TestDashboard::test_the_dashboard_is_for_kpi_roles",
        "shequ.dashboards.tests.test_permission_matrix::TestDashboardPages::test_dashboard_of_an_area_permission_matrix",
    ),
    "/dashboard/export/": Matrix(
        "shequ.dashboards.tests.test_permission_matrix::TestDashboardPages::test_dashboard_export_permission_matrix"
    ),
    # --- 规划监测 and the task ledger (issue 29; shequ/indicators) ---------------------------------------------------
    "/dashboard/plan/": Matrix(f"{INDICATORS}::test_board"),
    "/dashboard/plan/i/<str:key>/": Matrix(f"{INDICATORS}::test_detail"),
    "/dashboard/plan/export/": Matrix(f"{INDICATORS}::test_export"),
    "/dashboard/plan/report/": Matrix(f"{INDICATORS}::test_report"),
    "/dashboard/plan/tasks/": Matrix(f"{INDICATORS}::test_tasks"),
    "/dashboard/plan/tasks/<int:pk>/": Matrix(f"{INDICATORS}::test_task"),
    "/dashboard/plan/tasks/<int:pk>/act/": Matrix(f"{INDICATORS}::test_task_act"),
    "GET /api/v1/indicators": Matrix(f"{INDICATORS}::test_api_indicators"),
    "GET /api/v1/indicators/{key}/series": Matrix(f"{INDICATORS}::test_api_series"),
    "/console/notices/": Matrix(
        "shequ.notices.tests.test_notices::TestConsoleNotices::test_the_staff_page_is_for_those_who_may_publish",
        "shequ.notices.tests.test_permission_matrix::TestConsoleNoticeWrites::test_publish_permission_matrix",
    ),
    "/console/notices/<int:pk>/withdraw/": Matrix(
        "shequ.notices.tests.test_permission_matrix::TestConsoleNoticeWrites::test_withdraw_permission_matrix"
    ),
    "/console/": Matrix("shequ.web.tests.test_console::TestConsole::test_console_home_is_for_staff"),
    "/console/outbox/": Matrix(
        "shequ.web.tests.test_console::TestConsole::test_the_outbox_is_for_the_system_admin"
    ),
    # --- administration (issue 21): staff accounts by the system admin, grants by the security admin -------------
    "/console/staff/": Matrix(f"{STAFF}::test_the_staff_list_is_the_system_admins"),
    "/console/staff/new/": Matrix(
        f"{STAFF}::test_the_new_account_form_is_the_system_admins",
        f"{STAFF}::test_creating_an_account_is_the_system_admins",
    ),
    "/console/staff/<int:pk>/": Matrix(f"{STAFF}::test_an_account_outside_the_district_is_not_found"),
    "/console/staff/<int:pk>/grants/": Matrix(f"{STAFF}::test_requesting_a_grant_is_scoped"),
    "/console/staff/<int:pk>/disable/": Matrix(f"{STAFF}::test_account_actions_are_scoped"),
    "/console/staff/<int:pk>/enable/": Matrix(f"{STAFF}::test_account_actions_are_scoped"),
    "/console/staff/<int:pk>/password/": Matrix(f"{STAFF}::test_account_actions_are_scoped"),
    "/console/staff/<int:pk>/totp/": Matrix(f"{STAFF}::test_account_actions_are_scoped"),
    "/console/grants/": Matrix(f"{STAFF}::test_the_grant_requests_page_is_the_security_admins"),
    "/console/grants/<int:pk>/decide/": Matrix(f"{STAFF}::test_deciding_a_grant_is_scoped"),
    "/console/grants/<int:pk>/revoke/": Matrix(
        "shequ.web.tests.test_grant_revoke::TestPermissionMatrix::test_revoking_is_the_security_admins_and_scoped"
    ),
    "/console/units/": Matrix(f"{UNITS}::test_the_unit_list_is_the_system_admins"),
    "/console/units/new/": Matrix(
        f"{UNITS}::test_the_new_unit_form_is_the_system_admins",
        f"{UNITS}::test_creating_a_unit_is_the_system_admins",
    ),
    "/console/units/<int:pk>/": Matrix(
        f"{UNITS}::test_a_unit_outside_the_district_is_not_found",
        f"{UNITS}::test_editing_a_unit_outside_the_district_is_not_found",
    ),
    "/console/rules/": Matrix(
        f"{RULES}::test_the_list_is_the_dispatchers", f"{RULES}::test_importing_is_the_dispatchers"
    ),
    "/console/rules/<int:pk>/end/": Matrix(f"{RULES}::test_ending_a_rule_outside_the_district_is_not_found"),
    "/console/categories/": Matrix(f"{CATEGORIES}::test_the_list_is_the_dispatchers"),
    "/console/facilities/": Matrix(f"{FACILITIES}::test_the_list_is_for_those_who_keep_facilities"),
    "/console/facilities/circle/": Matrix(f"{CIRCLE}::test_the_circle_page_is_for_those_who_keep_facilities"),
    "/console/facilities/circle/export.<str:fmt>": Matrix(f"{CIRCLE}::test_the_export"),
    "/console/registries/": Matrix(f"{REGISTRIES}::test_the_registries_home"),
    "/console/registries/<str:register>/": Matrix(f"{REGISTRIES}::test_a_register_list"),
    "/console/registries/<str:register>/new/": Matrix(
        f"{REGISTRIES}::test_the_new_entry_form", f"{REGISTRIES}::test_adding_an_entry"
    ),
    "/console/registries/entry/<int:pk>/": Matrix(
        f"{REGISTRIES}::test_an_entry_outside_ones_areas_is_not_found", f"{REGISTRIES}::test_editing_an_entry"
    ),
    "/console/registries/entry/<int:pk>/activities/": Matrix(f"{REGISTRIES}::test_recording_an_activity"),
    "/console/registries/<str:register>/import/": Matrix(f"{REGISTRIES}::test_the_import"),
    "/console/registries/<str:register>/template.xlsx": Matrix(f"{REGISTRIES}::test_the_import_template"),
    "/console/registries/<str:register>/export.<str:fmt>": Matrix(f"{REGISTRIES}::test_the_export"),
    "/console/facilities/new/": Matrix(
        f"{FACILITIES}::test_the_new_facility_form", f"{FACILITIES}::test_adding_a_facility"
    ),
    "/console/facilities/<int:pk>/": Matrix(
        f"{FACILITIES}::test_a_facility_outside_the_street_is_not_found",
        f"{FACILITIES}::test_editing_a_facility_outside_the_street_is_not_found",
    ),
    "/console/categories/new/": Matrix(
        "shequ.appeals.tests.test_category_create::TestPermissionMatrix::test_the_new_category_form_is_the_dispatchers",
        "shequ.appeals.tests.test_category_create::TestPermissionMatrix::test_creating_is_the_city_dispatchers",
    ),
    "/console/categories/<int:pk>/": Matrix(
        f"{CATEGORIES}::test_the_edit_page_is_the_dispatchers",
        f"{CATEGORIES}::test_saving_is_the_city_dispatchers",
    ),
    # --- the time bank (issue 24): the resident's own account, city-wide help and 爱心超市, the console ---------------
    "GET /api/v1/timebank/accounts/me": Matrix(f"{TIMEBANK_API}::test_my_account_permission_matrix"),
    "POST /api/v1/timebank/transfers": Matrix(f"{TIMEBANK_API}::test_transfer_permission_matrix"),
    "/me/timebank/": Matrix(f"{TIMEBANK_PORTAL}::test_the_residents_own_pages_permission_matrix"),
    "/me/timebank/transfer/": Matrix(
        f"{TIMEBANK_PORTAL}::test_the_residents_own_pages_permission_matrix",
        f"{TIMEBANK_PORTAL}::test_posting_a_transfer_permission_matrix",
    ),
    "/me/timebank/family/": Matrix(
        f"{TIMEBANK_PORTAL}::test_the_residents_own_pages_permission_matrix",
        f"{TIMEBANK_PORTAL}::test_posting_a_family_link_permission_matrix",
    ),
    "/me/timebank/family/<int:pk>/confirm/": Matrix(
        f"{TIMEBANK_PORTAL}::test_confirming_a_family_link_permission_matrix"
    ),
    "/me/timebank/help/": Matrix(
        f"{TIMEBANK_PORTAL}::test_the_residents_own_pages_permission_matrix",
        f"{TIMEBANK_PORTAL}::test_asking_for_help_permission_matrix",
    ),
    "/me/timebank/help/<int:pk>/": Matrix(f"{TIMEBANK_PORTAL}::test_a_help_request_permission_matrix"),
    "/me/timebank/help/<int:pk>/<str:action>/": Matrix(
        f"{TIMEBANK_PORTAL}::test_acting_on_a_help_request_permission_matrix"
    ),
    "/timebank/help/": Matrix(f"{TIMEBANK_PORTAL}::test_the_city_wide_pages_permission_matrix"),
    "/timebank/market/": Matrix(f"{TIMEBANK_PORTAL}::test_the_city_wide_pages_permission_matrix"),
    "/timebank/market/<int:pk>/redeem/": Matrix(f"{TIMEBANK_PORTAL}::test_redeeming_permission_matrix"),
    "/console/timebank/": Matrix(
        f"{TIMEBANK_CONSOLE}::test_the_console_pages_are_for_those_who_keep_the_time_bank"
    ),
    "/console/timebank/issue/": Matrix(
        f"{TIMEBANK_CONSOLE}::test_the_console_pages_are_for_those_who_keep_the_time_bank",
        f"{TIMEBANK_CONSOLE}::test_issuing_permission_matrix",
    ),
    "/console/timebank/settlement/": Matrix(
        f"{TIMEBANK_CONSOLE}::test_the_console_pages_are_for_those_who_keep_the_time_bank"
    ),
    "/console/timebank/settlement/export/": Matrix(
        f"{TIMEBANK_CONSOLE}::test_the_console_pages_are_for_those_who_keep_the_time_bank"
    ),
    "/console/timebank/transfers/export/": Matrix(
        f"{TIMEBANK_CONSOLE}::test_the_console_pages_are_for_those_who_keep_the_time_bank"
    ),
    "/console/timebank/goods/": Matrix(
        f"{TIMEBANK_GOODS_RULES}::test_goods_page_permission_matrix",
        f"{TIMEBANK_GOODS_RULES}::test_adding_goods_permission_matrix",
    ),
    "/console/timebank/goods/<int:pk>/": Matrix(
        f"{TIMEBANK_GOODS_RULES}::test_editing_goods_permission_matrix"
    ),
    "/console/timebank/rules/": Matrix(
        f"{TIMEBANK_GOODS_RULES}::test_rules_page_permission_matrix",
        f"{TIMEBANK_GOODS_RULES}::test_saving_rules_permission_matrix",
    ),
    "/console/timebank/goods/<int:pk>/restock/": Matrix(
        f"{TIMEBANK_CONSOLE}::test_restocking_permission_matrix"
    ),
    # --- surveys and credit lists (issue 27 items 4-5) ---------------------------------------------------------
    "GET /api/v1/surveys": Matrix(f"{SURVEYS_API}::test_list_permission_matrix"),
    "POST /api/v1/surveys": Matrix(f"{SURVEYS_API}::test_create_permission_matrix"),
    "POST /api/v1/surveys/{survey_id}/responses": Matrix(f"{SURVEYS_API}::test_response_permission_matrix"),
    "GET /api/v1/surveys/{survey_id}/results": Matrix(f"{SURVEYS_API}::test_results_permission_matrix"),
    "/surveys/": Matrix(f"{SURVEYS_PORTAL}::test_my_surveys_permission_matrix"),
    "/surveys/<int:pk>/": Matrix(
        f"{SURVEYS_PORTAL}::test_answer_permission_matrix",
        f"{SURVEYS_PORTAL}::test_answer_post_permission_matrix",
    ),
    "/console/surveys/": Matrix(f"{SURVEYS_CONSOLE}::test_console_home_permission_matrix"),
    "/console/surveys/new/": Matrix(
        "shequ.surveys.tests.test_builder::TestPermissionMatrix::test_builder_page",
        "shequ.surveys.tests.test_builder::TestPermissionMatrix::test_builder_post",
    ),
    "/console/surveys/<int:pk>/": Matrix(f"{SURVEYS_CONSOLE}::test_console_survey_permission_matrix"),
    "/console/surveys/<int:pk>/export/": Matrix(f"{SURVEYS_CONSOLE}::test_console_export_permission_matrix"),
    "/console/surveys/<int:pk>/<str:action>/": Matrix(
        f"{SURVEYS_CONSOLE}::test_console_action_permission_matrix"
    ),
    "GET /api/v1/credit-lists": Matrix(f"{CREDIT_API}::test_permission_matrix"),
    # --- emergency management (issue 28) ----------------------------------------------------------------------
    "POST /api/v1/emergency/warnings": Matrix(f"{EMERGENCY_API}::TestPublish::test_permission_matrix"),
    "POST /api/v1/emergency/warnings/{warning_id}/acknowledge": Matrix(
        f"{EMERGENCY_API}::TestAcknowledge::test_permission_matrix"
    ),
    "GET /api/v1/emergency/shelters": Matrix(
        f"{EMERGENCY_API}::TestShelters::test_permission_matrix_and_free_places"
    ),
    "/emergency/": Matrix(f"{EMERGENCY_POST}::test_resident_lists_and_actions"),
    "/emergency/<int:pk>/": Matrix(f"{EMERGENCY}::test_resident_pages"),
    "/emergency/<int:pk>/acknowledge/": Matrix(f"{EMERGENCY_POST}::test_resident_lists_and_actions"),
    "/emergency/<int:pk>/safety/": Matrix(f"{EMERGENCY_POST}::test_resident_lists_and_actions"),
    "/console/emergency/": Matrix(f"{EMERGENCY}::test_console_pages"),
    "/console/emergency/calls/": Matrix(f"{EMERGENCY_POST}::test_staff_lists_and_actions"),
    "/console/emergency/warnings/new/": Matrix(f"{EMERGENCY}::test_console_pages"),
    "/console/emergency/warnings/<int:pk>/": Matrix(f"{EMERGENCY}::test_console_pages"),
    "/console/emergency/warnings/<int:pk>/end/": Matrix(f"{EMERGENCY_POST}::test_staff_lists_and_actions"),
    "/console/emergency/warnings/<int:pk>/calls/": Matrix(f"{EMERGENCY}::test_console_pages"),
    "/console/emergency/people/<int:pk>/confirm/": Matrix(f"{EMERGENCY_POST}::test_staff_lists_and_actions"),
    "/console/emergency/people/<int:pk>/follow-up/": Matrix(
        f"{EMERGENCY_POST}::test_staff_lists_and_actions"
    ),
    "/console/emergency/plans/new/": Matrix(
        f"{EMERGENCY_FORMS}::test_form_pages", f"{EMERGENCY_FORMS}::test_form_posts"
    ),
    "/console/emergency/plans/<int:pk>/": Matrix(
        f"{EMERGENCY_FORMS}::test_form_pages", f"{EMERGENCY_FORMS}::test_form_posts"
    ),
    "/console/emergency/plans/<int:pk>/drills/new/": Matrix(
        f"{EMERGENCY_FORMS}::test_form_pages", f"{EMERGENCY_FORMS}::test_form_posts"
    ),
    "/console/emergency/shelters/new/": Matrix(
        f"{EMERGENCY_FORMS}::test_form_pages", f"{EMERGENCY_FORMS}::test_form_posts"
    ),
    "/console/emergency/shelters/<int:pk>/": Matrix(
        f"{EMERGENCY_FORMS}::test_form_pages", f"{EMERGENCY_FORMS}::test_form_posts"
    ),
    "/console/emergency/supplies/new/": Matrix(
        f"{EMERGENCY_FORMS}::test_form_pages", f"{EMERGENCY_FORMS}::test_form_posts"
    ),
    "/console/emergency/supplies/<int:pk>/": Matrix(
        f"{EMERGENCY_FORMS}::test_form_pages", f"{EMERGENCY_FORMS}::test_form_posts"
    ),
    "/console/credit/": Matrix(f"{CREDIT}::test_lists_permission_matrix"),
    "/console/credit/compute/": Matrix(f"{CREDIT}::test_compute_permission_matrix"),
    "/console/credit/subjects/": Matrix(
        "shequ.credit.tests.test_subject_pages::TestSubjectPages::test_list_permission_matrix"
    ),
    "/console/credit/subjects/<int:pk>/edit/": Matrix(
        "shequ.credit.tests.test_subject_pages::TestSubjectEdit::test_edit_permission_matrix"
    ),
    "/console/credit/subjects/<int:pk>/": Matrix(
        "shequ.credit.tests.test_subject_pages::TestSubjectPages::test_detail_permission_matrix"
    ),
    "/credit/": Public(
        "信用公示: the year's incentive and risk lists of companies, managers' names masked (GET only)"
    ),
    "/console/surveys/satisfaction/": Matrix(
        "shequ.surveys.tests.test_satisfaction_page::TestSatisfactionPage::test_permission_matrix"
    ),
    # --- owners' decisions (issue 27) ---------------------------------------------------------------------------
    "POST /api/v1/owner-votes": Matrix(f"{OWNERS_API}::test_create_permission_matrix"),
    "POST /api/v1/owner-votes/{vote_id}/ballots": Matrix(f"{OWNERS_API}::test_ballot_permission_matrix"),
    "GET /api/v1/owner-votes/{vote_id}/result": Matrix(f"{OWNERS_API}::test_result_permission_matrix"),
    "/owners/": Matrix(f"{OWNERS}::TestPortalPages::test_my_votes_permission_matrix"),
    "/owners/votes/<int:pk>/": Matrix(
        f"{OWNERS}::TestPortalPages::test_my_vote_permission_matrix",
        f"{OWNERS}::TestPortalPages::test_casting_on_the_page_permission_matrix",
    ),
    "/owners/votes/<int:pk>/result/": Matrix(f"{OWNERS}::TestPortalPages::test_result_permission_matrix"),
    "/owners/receipt/": Matrix(f"{OWNERS}::TestPortalPages::test_receipt_permission_matrix"),
    "/console/owners/": Matrix(f"{OWNERS}::TestConsolePages::test_console_home_permission_matrix"),
    "/console/owners/estates/<int:pk>/": Matrix(
        f"{OWNERS}::TestConsolePages::test_register_permission_matrix",
        f"{OWNERS}::TestConsolePages::test_register_import_permission_matrix",
    ),
    "/console/owners/votes/new/": Matrix(f"{OWNERS}::TestConsolePages::test_new_vote_permission_matrix"),
    "/console/owners/votes/<int:pk>/": Matrix(
        f"{OWNERS}::TestConsolePages::test_vote_console_permission_matrix"
    ),
    "/console/owners/votes/<int:pk>/<str:action>/": Matrix(
        f"{OWNERS}::TestConsolePages::test_vote_action_permission_matrix"
    ),
    "/console/owners/documents/<int:pk>/": Matrix(
        f"{OWNERS}::TestConsolePages::test_document_permission_matrix"
    ),
    # --- volunteer service (issue 24) -------------------------------------------------------------------------------
    "GET /api/v1/volunteers/figures": Public(
        "volunteer figures per area (counts, hours, per 10,000 residents): aggregates, no personal data"
    ),
    "GET /api/v1/volunteer-activities/upcoming": Public(
        "published volunteer activities are public, like a notice board"
    ),
    "POST /api/v1/volunteers": Matrix(
        f"{VOLUNTEERS_API}::TestVolunteerEndpoints::test_register_permission_matrix"
    ),
    "GET /api/v1/volunteers/me": Matrix(
        f"{VOLUNTEERS_API}::TestVolunteerEndpoints::test_me_permission_matrix"
    ),
    "POST /api/v1/volunteer-activities": Matrix(
        f"{VOLUNTEERS_API}::TestActivityEndpoints::test_create_permission_matrix"
    ),
    "POST /api/v1/volunteer-activities/{activity_id}/shifts/{shift_id}/signups": Matrix(
        f"{VOLUNTEERS_API}::TestSignupEndpoint::test_signup_permission_matrix"
    ),
    "POST /api/v1/volunteers/checkins": Matrix(
        f"{VOLUNTEERS_API}::TestCheckinAndConfirm::test_checkin_permission_matrix"
    ),
    "POST /api/v1/volunteer-hours/{record_id}/confirm": Matrix(
        f"{VOLUNTEERS_API}::TestCheckinAndConfirm::test_confirm_permission_matrix"
    ),
    "/volunteers/": Public(
        "志愿服务: the portal's volunteer home (upcoming public activities; one's own card if signed in)"
    ),
    "/volunteers/activities/": Public("志愿服务: published activities are public (GET only)"),
    "/volunteers/activities/<int:pk>/": Public("志愿服务: one published activity and its shifts (GET only)"),
    "/volunteers/teams/<int:pk>/": Public("志愿服务: a team's public page (name, area, activities)"),
    "/volunteers/stations/<int:pk>/": Public(
        "志愿服务: a station's public page (a facility of the public registry)"
    ),
    "/volunteers/verify/": Public("志愿服务证明 verification form: anyone checks a certificate by its code"),
    "/volunteers/verify/<str:code>/": Public(
        "志愿服务证明 verification: masked name, hours, issuer and date for a valid code; nothing otherwise"
    ),
    "/volunteers/register/": Matrix(f"{VOLUNTEERS}::TestRegistrationPage::test_the_form_needs_a_sign_in"),
    "/volunteers/shifts/<int:pk>/signup/": Matrix(
        f"{VOLUNTEERS}::TestSignupPages::test_signup_permission_matrix"
    ),
    "/volunteers/signups/<int:pk>/cancel/": Matrix(
        f"{VOLUNTEERS}::TestSignupPages::test_cancel_permission_matrix"
    ),
    "/volunteers/scan/<str:token>/": Matrix(f"{VOLUNTEERS}::TestScanPage::test_scan_permission_matrix"),
    "/volunteers/me/hours/": Matrix(f"{VOLUNTEERS}::TestMyHours::test_my_hours_permission_matrix"),
    "/volunteers/me/hours/<int:pk>/dispute/": Matrix(
        f"{VOLUNTEERS}::TestMyHours::test_dispute_permission_matrix"
    ),
    "/volunteers/me/signups/<int:pk>/makeup/": Matrix(
        f"{VOLUNTEERS}::TestMyHours::test_makeup_permission_matrix"
    ),
    "/volunteers/me/certificates/": Matrix(
        f"{VOLUNTEERS}::TestMyHours::test_certificate_permission_matrix_and_pdf"
    ),
    "/volunteers/me/certificates/<int:pk>/pdf/": Matrix(
        f"{VOLUNTEERS}::TestMyHours::test_certificate_permission_matrix_and_pdf"
    ),
    "/volunteers/organise/": Matrix(f"{VOLUNTEERS}::TestOrganiserPages::test_organise_permission_matrix"),
    "/volunteers/organise/activities/new/": Matrix(
        f"{VOLUNTEERS}::TestOrganiserPages::test_new_activity_form_permission_matrix",
        f"{VOLUNTEERS}::TestOrganiserPages::test_publishing_from_the_form_permission_matrix",
    ),
    "/volunteers/organise/activities/<int:pk>/": Matrix(
        f"{VOLUNTEERS}::TestOrganiserPages::test_activity_page_permission_matrix"
    ),
    "/volunteers/teams/<int:pk>/<str:action>/": Matrix(
        "shequ.volunteers.tests.test_teams_cancel_records::TestTeamMembers::test_join_permission_matrix_and_the_team_page_says_so"
    ),
    "/volunteers/organise/activities/<int:pk>/cancel/": Matrix(
        "shequ.volunteers.tests.test_teams_cancel_records::TestCancelActivity::test_cancel_permission_matrix"
    ),
    "/volunteers/organise/teams/<int:pk>/records/": Matrix(
        "shequ.volunteers.tests.test_teams_cancel_records::TestTeamRecords::test_records_page_permission_matrix",
        "shequ.volunteers.tests.test_teams_cancel_records::TestTeamRecords::test_an_organiser_records_training_for_a_member_who_becomes_a_registered_volunteer",
    ),
    "/volunteers/organise/shifts/<int:pk>/qr/": Matrix(
        f"{VOLUNTEERS}::TestOrganiserPages::test_qr_page_permission_matrix"
    ),
    "/volunteers/organise/signups/<int:pk>/roster/": Matrix(
        f"{VOLUNTEERS}::TestOrganiserPages::test_roster_permission_matrix"
    ),
    "/volunteers/organise/signups/<int:pk>/<str:action>/": Matrix(
        f"{VOLUNTEERS}::TestOrganiserPages::test_approve_permission_matrix"
    ),
    "/volunteers/organise/hours/<int:pk>/<str:action>/": Matrix(
        f"{VOLUNTEERS}::TestOrganiserPages::test_confirm_permission_matrix_and_the_volunteer_sees_the_hours"
    ),
    "/console/volunteers/": Matrix(f"{VOLUNTEERS}::TestConsole::test_overview_permission_matrix"),
    "/console/volunteers/export/": Matrix(
        f"{VOLUNTEERS}::TestConsole::test_export_permission_matrix_and_masking"
    ),
    "/console/volunteers/teams/": Matrix(
        f"{VOLUNTEERS}::TestConsole::test_teams_permission_matrix",
        f"{VOLUNTEERS}::TestConsole::test_creating_a_team_permission_matrix",
    ),
    "/console/volunteers/stations/": Matrix(
        f"{VOLUNTEERS}::TestConsole::test_stations_permission_matrix",
        f"{VOLUNTEERS}::TestConsole::test_creating_a_station_permission_matrix",
    ),
    # --- venues and bookings (issue 25) ----------------------------------------------------------------------------
    "GET /api/v1/venues": Public(
        "bookable venues are public information, like the facility registry (read-only)"
    ),
    "GET /api/v1/venues/{venue_id}": Public("one bookable venue: public information (read-only)"),
    "GET /api/v1/venues/{venue_id}/availability": Public(
        "a venue's slots as free or taken, no booker's name; signed in, one's own read as mine"
    ),
    "POST /api/v1/bookings": Matrix(f"{VENUES_API}::test_booking_needs_a_sign_in"),
    "GET /api/v1/bookings": Matrix(f"{VENUES_API}::test_my_bookings_are_my_own"),
    "POST /api/v1/bookings/{booking_id}/cancel": Matrix(
        f"{VENUES_API}::test_cancel_by_someone_else_is_404_like_a_missing_booking"
    ),
    "/venues/": Public("场地预约: the list of bookable venues is public (GET only)"),
    "/venues/<int:pk>/": Public("场地预约: a venue's day of slots, free or taken, no names (GET only)"),
    "/venues/<int:pk>/book/": Matrix(f"{VENUES}::test_book_page_needs_a_sign_in"),
    "/venues/<int:pk>/wait/": Matrix(f"{VENUES}::test_wait_needs_a_sign_in"),
    "/venues/checkin/": Matrix(f"{VENUES}::test_check_in_needs_a_sign_in"),
    "/me/bookings/": Matrix(f"{VENUES}::test_my_bookings_need_a_sign_in"),
    "/me/bookings/series/": Matrix(f"{VENUES}::test_the_series_page_is_for_team_leaders"),
    "/me/bookings/<int:pk>/<str:action>/": Matrix(
        f"{VENUES}::test_an_action_on_someone_elses_booking_is_not_found"
    ),
    "/console/venues/": Matrix(f"{VENUES}::test_the_console_list_is_for_venue_managers"),
    "/console/venues/<int:pk>/": Matrix(f"{VENUES}::test_a_venue_of_another_street_is_not_found"),
    "/console/venues/new/": Matrix(f"{VENUE_FORMS}::test_the_new_venue_page_is_for_venue_managers"),
    "/console/venues/<int:pk>/edit/": Matrix(
        f"{VENUE_FORMS}::test_the_edit_page_of_a_venue_of_another_street_is_not_found"
    ),
    "/venues/<int:pk>/photos/<str:name>/": Public(
        "a venue's photos, public like the venue (an inactive venue's only to its managers); served as images only"
    ),
    "/console/venues/bookings/<int:pk>/<str:action>/": Matrix(
        f"{VENUES}::test_a_console_action_outside_ones_street_is_not_found"
    ),
    # 托 places (issue 25 item 4)
    "GET /api/v1/care-places": Public(
        "elder day care and infant care places: public like the facility registry"
    ),
    "GET /api/v1/care-places/{place_id}/availability": Public("a care place's places left per day, no names"),
    "GET /api/v1/care-members": Matrix(f"{DAYCARE}::test_api_members_need_a_sign_in"),
    "POST /api/v1/care-members": Matrix(f"{DAYCARE}::test_api_members_need_a_sign_in"),
    "GET /api/v1/care-bookings": Matrix(f"{DAYCARE}::test_api_bookings_are_the_familys_own"),
    "POST /api/v1/care-bookings": Matrix(f"{DAYCARE}::test_api_bookings_are_the_familys_own"),
    "POST /api/v1/care-bookings/{booking_id}/cancel": Matrix(
        f"{DAYCARE}::test_api_cancel_of_another_familys_booking_is_not_found"
    ),
    "POST /api/v1/care-bookings/{booking_id}/check-in": Matrix(
        f"{DAYCARE}::test_api_check_in_is_for_the_places_managers"
    ),
    "/daycare/": Public("托位预约: the list of care places is public (GET only)"),
    "/daycare/<int:pk>/": Public("托位预约: one care place and its places left per day, no names (GET only)"),
    "/daycare/<int:pk>/book/": Matrix(f"{DAYCARE}::test_booking_needs_a_sign_in"),
    "/me/daycare/": Matrix(
        f"{DAYCARE}::test_my_care_needs_a_sign_in", f"{DAYCARE}::test_adding_someone_needs_a_sign_in"
    ),
    "/me/daycare/<int:pk>/cancel/": Matrix(
        f"{DAYCARE}::test_cancelling_another_familys_booking_is_not_found"
    ),
    "/console/daycare/": Matrix(f"{DAYCARE}::test_the_console_list_is_for_venue_managers"),
    "/console/daycare/<int:pk>/": Matrix(f"{DAYCARE}::test_a_care_place_of_another_street_is_not_found"),
    "/console/daycare/bookings/<int:pk>/checkin/": Matrix(
        f"{DAYCARE}::test_checking_in_at_another_streets_place_is_not_found"
    ),
    "GET /api/v1/events": Public(
        "published community events and courses: public like a notice board (read-only)"
    ),
    "/activities/": Public("活动与课程: published events and courses (GET only)"),
    "/activities/<int:pk>/": Public("one published activity: sessions and places left, no names (GET only)"),
    "/activities/<int:pk>/enrol/": Matrix(f"{ACTIVITIES}::test_enrol_needs_a_sign_in"),
    "/activities/attend/": Matrix(f"{ACTIVITIES}::test_attendance_needs_a_sign_in"),
    "/me/activities/": Matrix(f"{ACTIVITIES}::test_my_activities_need_a_sign_in"),
    "/me/activities/<int:pk>/cancel/": Matrix(
        f"{ACTIVITIES}::test_cancelling_someone_elses_sign_up_is_not_found"
    ),
    "/calendar/community/<str:code>.ics": Public("a community's published activities as an iCalendar feed"),
    "/calendar/me/<str:token>.ics": Guarded(
        "a person's own calendar for calendar applications, which cannot sign in: the address carries a token signed "
        "for that person (shown only to him); a missing or forged token is 404",
        f"{ACTIVITIES}::test_the_personal_feed_is_reached_only_by_its_secret_address",
    ),
    "/console/activities/": Matrix(f"{ACTIVITIES}::test_the_console_list_is_for_venue_managers"),
    "/console/activities/<int:pk>/": Matrix(f"{ACTIVITIES}::test_an_activity_of_another_street_is_not_found"),
    # --- residents' participation (issue 26): the three lists, meetings, deliberation --------------------------------
    "GET /api/v1/needs": Public(
        "a community's need list is public (专栏2 三项清单), without who posted a need"
    ),
    "POST /api/v1/needs": Guarded(
        "the path's GET is public (the sweep allows by path); POST needs a sign-in (401), walked by the matrix",
        f"{PARTICIPATION_API}::TestNeeds::test_post_permission_matrix",
    ),
    "GET /api/v1/resources": Public(
        "a community's resource list is public: organisations and funds, no person"
    ),
    "GET /api/v1/meetings": Public(
        "meetings, their agenda, minutes and decisions are public (open decisions, 3.1)"
    ),
    "POST /api/v1/meetings": Guarded(
        "the path's GET is public (the sweep allows by path); POST needs a sign-in (401) and the community's grant "
        "(404 elsewhere), walked by the matrix",
        f"{PARTICIPATION_API}::TestMeetings::test_convening_is_for_the_communitys_staff",
    ),
    "/participation/": Public("a community's three lists, meetings and topics: public, no personal data"),
    "/participation/needs/<int:pk>/": Public(
        "one need on a public list and where it went, without its poster"
    ),
    "/participation/projects/<int:pk>/": Public("one project on a public list"),
    "/participation/meetings/<int:pk>/": Public(
        "a meeting's agenda, minutes, decisions and poll counts: public"
    ),
    "/participation/topics/<int:pk>/": Public(
        "a deliberation topic and its comments (names not shown): public"
    ),
    "/participation/topics/<int:pk>/act/": Matrix(
        f"{PARTICIPATION_PORTAL}::test_topic_actions_permission_matrix"
    ),
    "/participation/checkin/<str:token>/": Matrix(
        f"{PARTICIPATION_PORTAL}::test_checking_in_and_answering_permission_matrix"
    ),
    "/participation/polls/<int:pk>/answer/": Matrix(
        f"{PARTICIPATION_PORTAL}::test_checking_in_and_answering_permission_matrix"
    ),
    "/me/participation/": Matrix(f"{PARTICIPATION_PORTAL}::test_the_residents_own_pages_permission_matrix"),
    "/me/participation/needs/new/": Matrix(
        f"{PARTICIPATION_PORTAL}::test_the_residents_own_pages_permission_matrix",
        f"{PARTICIPATION_PORTAL}::test_posting_a_need_permission_matrix",
    ),
    "/me/participation/needs/<int:pk>/": Matrix(
        f"{PARTICIPATION_PORTAL}::test_someone_elses_need_is_not_found_in_my_needs"
    ),
    "/console/participation/": Matrix(
        f"{PARTICIPATION_CONSOLE}::test_the_console_pages_are_for_the_communitys_staff",
        f"{PARTICIPATION_CONSOLE}::test_filling_the_lists_permission_matrix",
    ),
    "/console/participation/needs/<int:pk>/": Matrix(
        f"{PARTICIPATION_CONSOLE}::test_a_need_outside_the_street_is_not_found",
        f"{PARTICIPATION_CONSOLE}::test_matching_outside_the_street_is_not_found",
    ),
    "/console/participation/resources/new/": Matrix(
        f"{PARTICIPATION_CONSOLE}::test_the_console_pages_are_for_the_communitys_staff",
        f"{PARTICIPATION_CONSOLE}::test_posting_the_console_forms_permission_matrix",
    ),
    "/console/participation/projects/new/": Matrix(
        "shequ.participation.tests.test_console_projects::TestPermissionMatrix::test_the_project_pages_and_exports",
        "shequ.participation.tests.test_console_projects::TestPermissionMatrix::test_posting_the_project_forms",
    ),
    "/console/participation/projects/<int:pk>/": Matrix(
        "shequ.participation.tests.test_console_projects::TestPermissionMatrix::test_the_project_pages_and_exports",
        "shequ.participation.tests.test_console_projects::TestPermissionMatrix::test_posting_the_project_forms",
    ),
    "/console/participation/export/<str:which>/": Matrix(
        "shequ.participation.tests.test_console_projects::TestPermissionMatrix::test_the_project_pages_and_exports"
    ),
    "/console/participation/meetings/new/": Matrix(
        f"{PARTICIPATION_CONSOLE}::test_the_console_pages_are_for_the_communitys_staff",
        f"{PARTICIPATION_CONSOLE}::test_posting_the_console_forms_permission_matrix",
    ),
    "/console/participation/meetings/<int:pk>/": Matrix(
        f"{PARTICIPATION_CONSOLE}::test_a_meeting_outside_the_street_is_not_found"
    ),
    "/console/participation/topics/new/": Matrix(
        f"{PARTICIPATION_CONSOLE}::test_the_console_pages_are_for_the_communitys_staff",
        f"{PARTICIPATION_CONSOLE}::test_posting_the_console_forms_permission_matrix",
    ),
    "/console/participation/comments/<int:pk>/review/": Matrix(
        f"{PARTICIPATION_CONSOLE}::test_reviewing_outside_the_street_is_not_found"
    ),
    # --- care for people in difficulty (issue 28) ----------------------------------------------------------------
    "GET /api/v1/care/cases": Matrix(f"{CARE_API}::test_cases_and_discoveries_permission_matrix"),
    "POST /api/v1/care/cases": Matrix(f"{CARE_API}::test_opening_a_case_permission_matrix_and_idempotency"),
    "GET /api/v1/care/discoveries": Matrix(f"{CARE_API}::test_cases_and_discoveries_permission_matrix"),
    "/console/care/": Matrix(f"{CARE}::test_the_care_home_is_for_those_who_work_here"),
    "/console/care/report/": Matrix(
        f"{CARE}::test_the_report_forms_are_for_the_grid_worker_and_out_of_area_people_are_not_found"
    ),
    "/console/care/minor-report/": Matrix(
        f"{CARE}::test_the_report_forms_are_for_the_grid_worker_and_out_of_area_people_are_not_found"
    ),
    "/console/care/discoveries/": Matrix(f"{CARE}::test_the_queue_and_its_decisions"),
    "/console/care/discoveries/<int:pk>/decide/": Matrix(f"{CARE}::test_the_queue_and_its_decisions"),
    "/console/care/cases/": Matrix(f"{CARE}::test_cases_are_for_social_workers_of_the_street"),
    "/console/care/cases/<int:pk>/": Matrix(f"{CARE}::test_cases_are_for_social_workers_of_the_street"),
    "/console/care/groups/": Matrix(f"{CARE}::test_special_groups_are_for_those_who_serve_them"),
    "/console/care/groups/new/": Matrix(f"{CARE}::test_special_groups_are_for_those_who_serve_them"),
    "/console/care/supervision/": Matrix(f"{CARE}::test_supervision_referrals_and_orders"),
    "/console/care/referrals/": Matrix(f"{CARE}::test_supervision_referrals_and_orders"),
    "/console/care/referrals/<int:pk>/accept/": Matrix(f"{CARE}::test_supervision_referrals_and_orders"),
    "/console/care/orders/": Matrix(f"{CARE}::test_supervision_referrals_and_orders"),
    "/console/care/orders/<int:pk>/complete/": Matrix(f"{CARE}::test_supervision_referrals_and_orders"),
    # --- 民生微实事 rounds (issue 26) ------------------------------------------------------------------------------
    "GET /api/v1/microprojects/rounds": Matrix(f"{MICRO_API}::test_list_rounds_permission_matrix"),
    "POST /api/v1/microprojects/rounds": Matrix(f"{MICRO_API}::test_create_round_permission_matrix"),
    "POST /api/v1/microprojects/rounds/{round_id}/proposals": Matrix(
        f"{MICRO_API}::test_proposal_permission_matrix"
    ),
    "POST /api/v1/microprojects/rounds/{round_id}/ballots": Matrix(
        f"{MICRO_API}::test_ballot_permission_matrix"
    ),
    "GET /api/v1/microprojects/rounds/{round_id}/results": Matrix(
        f"{MICRO_API}::test_results_permission_matrix"
    ),
    "/microprojects/": Matrix(f"{MICRO}::TestPortalPages::test_my_rounds_permission_matrix"),
    "/microprojects/rounds/<int:pk>/": Matrix(
        f"{MICRO}::TestPortalPages::test_my_round_permission_matrix",
        f"{MICRO}::TestPortalPages::test_proposing_permission_matrix",
    ),
    "/microprojects/receipt/": Matrix(f"{MICRO}::TestPortalPages::test_receipt_permission_matrix"),
    "/microprojects/disclosure/<int:pk>/": Public(
        "公示: a round's published result and its money spent are public"
    ),
    "/microprojects/projects/<int:pk>/": Public(
        "公示: a selected project's progress, spending and acceptance"
    ),
    "/microprojects/photos/<int:pk>/": Public("公示: acceptance photos of a project, served as images only"),
    "/console/microprojects/": Matrix(
        f"{MICRO}::TestConsolePages::test_console_home_permission_matrix",
        f"{MICRO}::TestConsolePages::test_opening_a_round_permission_matrix",
    ),
    "/console/microprojects/rounds/<int:pk>/": Matrix(
        f"{MICRO}::TestConsolePages::test_console_round_permission_matrix",
        f"{MICRO}::TestConsolePages::test_console_round_post_permission_matrix",
    ),
    "/console/microprojects/projects/<int:pk>/": Matrix(
        f"{MICRO}::TestConsolePages::test_console_project_permission_matrix",
        f"{MICRO}::TestConsolePages::test_console_project_post_permission_matrix",
    ),
    # --- Open311 GeoReport v2 -------------------------------------------------------------------------------------
    "/open311/v2/discovery.<fmt>": Public("Open311 discovery: public by the GeoReport v2 spec"),
    "/open311/v2/services.<fmt>": Public("Open311 service list: public by the spec"),
    "/open311/v2/services/<code>.<fmt>": Public("Open311 service definition: public by the spec"),
    "/open311/v2/requests/<number>.<fmt>": Public(
        "Open311 one request: public fields only (no contact, no photos)"
    ),
    "/open311/v2/tokens/<token>.<fmt>": Public(
        "Open311 token lookup: answers a request number, public by the spec"
    ),
    "/open311/v2/requests.<fmt>": Guarded(
        "GET lists requests' public fields (the spec); POST files one and needs a partner's api_key (403 without)",
        "shequ.open311.tests.test_post_requests::test_without_an_api_key_nothing_is_created_and_the_answer_is_403",
    ),
    "/open311/v2/servicerequestupdates.<fmt>": Guarded(
        "GET lists public updates; POST needs a partner's api_key and a request that key filed (else 404)",
        "shequ.open311.tests.test_updates::test_a_partner_update_needs_a_key_a_known_request_a_status_and_a_description",
        "shequ.open311.tests.test_updates::test_a_partner_may_not_post_an_update_on_a_request_filed_elsewhere",
    ),
    # --- Django's admin for operators -----------------------------------------------------------------------------
    "/admin/*": Guarded(
        "Django's admin: only accounts with is_staff (operators) get past Django's own check to its login page; no "
        "role of the platform opens it",
        f"{SEPARATION}::test_nobody_of_the_cast_gets_into_the_operators_admin",
    ),
}
