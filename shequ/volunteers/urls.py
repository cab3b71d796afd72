from django.urls import path

from . import views, views_console

app_name = "volunteers"
urlpatterns = [
    # The portal (public pages and the volunteer's own)
    path("volunteers/", views.home, name="home"),
    path("volunteers/register/", views.register, name="register"),
    path("volunteers/activities/", views.activity_list, name="activities"),
    path("volunteers/activities/<int:pk>/", views.activity_detail, name="activity"),
    path("volunteers/shifts/<int:pk>/signup/", views.signup, name="signup"),
    path("volunteers/signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("volunteers/scan/<str:token>/", views.scan, name="scan"),
    path("volunteers/me/hours/", views.my_hours, name="my_hours"),
    path("volunteers/me/hours/<int:pk>/dispute/", views.hours_dispute, name="hours_dispute"),
    path("volunteers/me/signups/<int:pk>/makeup/", views.makeup, name="makeup"),
    path("volunteers/me/certificates/", views.certificate_issue, name="certificate_issue"),
    path("volunteers/me/certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("volunteers/verify/", views.verify, name="verify_form"),
    path("volunteers/verify/<str:code>/", views.verify, name="verify"),
    path("volunteers/teams/<int:pk>/", views.team_page, name="team"),
    path("volunteers/teams/<int:pk>/<str:action>/", views.team_membership, name="team_membership"),
    path("volunteers/stations/<int:pk>/", views.station_page, name="station"),
    # Organisers: team managers and staff with volunteers.manage
    path("volunteers/organise/", views.organise, name="organise"),
    path("volunteers/organise/activities/new/", views.activity_new, name="activity_new"),
    path("volunteers/organise/activities/<int:pk>/", views.organise_activity, name="organise_activity"),
    path("volunteers/organise/activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("volunteers/organise/teams/<int:pk>/records/", views.team_records, name="team_records"),
    path("volunteers/organise/shifts/<int:pk>/qr/", views.shift_qr, name="shift_qr"),
    path("volunteers/organise/signups/<int:pk>/roster/", views.roster, name="roster"),
    path("volunteers/organise/signups/<int:pk>/<str:action>/", views.signup_decide, name="signup_decide"),
    path("volunteers/organise/hours/<int:pk>/<str:action>/", views.hours_decide, name="hours_decide"),
    # The staff console
    path("console/volunteers/", views_console.overview, name="console"),
    path("console/volunteers/export/", views_console.export, name="console_export"),
    path("console/volunteers/teams/", views_console.teams, name="console_teams"),
    path("console/volunteers/stations/", views_console.stations, name="console_stations"),
]
