from django.urls import path

from . import audit as views

app_name = "audit"
urlpatterns = [
    path("", views.console_list, name="console_list"),
    path("export/", views.console_export, name="console_export"),
]
