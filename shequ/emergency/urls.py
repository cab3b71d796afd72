from django.urls import path

from . import views

app_name = "emergency"

urlpatterns = [
    path("emergency/", views.my_warnings, name="my_warnings"),
    path("emergency/<int:pk>/", views.my_warning, name="my_warning"),
    path("emergency/<int:pk>/acknowledge/", views.my_acknowledge, name="my_acknowledge"),
    path("emergency/<int:pk>/safety/", views.my_safety, name="my_safety"),
    path("console/emergency/", views.console, name="console"),
    path("console/emergency/calls/", views.calls_home, name="calls_home"),
    path("console/emergency/plans/new/", views.plan_new, name="plan_new"),
    path("console/emergency/plans/<int:pk>/", views.plan_edit, name="plan_edit"),
    path("console/emergency/plans/<int:pk>/drills/new/", views.drill_new, name="drill_new"),
    path("console/emergency/shelters/new/", views.shelter_new, name="shelter_new"),
    path("console/emergency/shelters/<int:pk>/", views.shelter_occupancy, name="shelter"),
    path("console/emergency/supplies/new/", views.supply_new, name="supply_new"),
    path("console/emergency/supplies/<int:pk>/", views.supply_stock, name="supply"),
    path("console/emergency/warnings/new/", views.warning_new, name="warning_new"),
    path("console/emergency/warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("console/emergency/warnings/<int:pk>/end/", views.warning_end, name="warning_end"),
    path("console/emergency/warnings/<int:pk>/calls/", views.calls, name="calls"),
    path("console/emergency/people/<int:pk>/confirm/", views.delivery_confirm, name="confirm"),
    path("console/emergency/people/<int:pk>/follow-up/", views.delivery_follow_up, name="follow_up"),
]
