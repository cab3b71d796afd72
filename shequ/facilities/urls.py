from django.urls import path

from . import views, views_circle, views_console

app_name = "facilities"
urlpatterns = [
    path("services/", views.services, name="services"),
    path("services/areas/", views.area_options, name="area_options"),
    path("console/facilities/", views_console.facility_list, name="console_list"),
    path("console/facilities/circle/", views_circle.circle, name="circle"),
    path("console/facilities/circle/export.<str:fmt>", views_circle.circle_export, name="circle_export"),
    path("console/facilities/new/", views_console.facility_edit, name="console_new"),
    path("console/facilities/<int:pk>/", views_console.facility_edit, name="console_edit"),
]
