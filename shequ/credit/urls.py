from django.urls import path

from . import views

app_name = "credit"
urlpatterns = [
    path("credit/", views.public_lists, name="public"),
    path("console/credit/", views.console_lists, name="console_lists"),
    path("console/credit/compute/", views.console_compute, name="console_compute"),
]
