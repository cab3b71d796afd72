from django.urls import path

from . import console, prefs, staff, units, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("prefs/elder/", prefs.toggle_elder, name="toggle_elder"),
    path("console/", console.console_home, name="console"),
    path("console/outbox/", console.outbox, name="outbox"),
    # Administration (issue 21): staff accounts by the system admin, grants decided by the security admin.
    path("console/staff/", staff.staff_list, name="staff_list"),
    path("console/staff/new/", staff.staff_new, name="staff_new"),
    path("console/staff/<int:pk>/", staff.staff_detail, name="staff_detail"),
    path("console/staff/<int:pk>/grants/", staff.staff_grant_request, name="staff_grant_request"),
    path("console/staff/<int:pk>/disable/", staff.staff_action, {"action": "disable"}, name="staff_disable"),
    path("console/staff/<int:pk>/enable/", staff.staff_action, {"action": "enable"}, name="staff_enable"),
    path(
        "console/staff/<int:pk>/password/", staff.staff_action, {"action": "password"}, name="staff_password"
    ),
    path("console/staff/<int:pk>/totp/", staff.staff_action, {"action": "totp"}, name="staff_totp"),
    path("console/grants/", staff.grant_list, name="grants"),
    path("console/grants/<int:pk>/decide/", staff.grant_decide, name="grant_decide"),
    path("console/grants/<int:pk>/revoke/", staff.grant_revoke, name="grant_revoke"),
    path("console/units/", units.unit_list, name="units"),
    path("console/units/new/", units.unit_new, name="unit_new"),
    path("console/units/<int:pk>/", units.unit_edit, name="unit_edit"),
]
