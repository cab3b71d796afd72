from django.urls import path

from . import views

app_name = "facilities"
urlpatterns = [
    path("services/", views.services, name="services"),
    path("services/areas/", views.area_options, name="area_options"),
]
