from django.urls import path

from . import views

app_name = "residents"
urlpatterns = [
    path("", views.console_list, name="console_list"),
    path("<int:pk>/reveal/", views.console_reveal, name="console_reveal"),
    path("import/", views.console_import, name="console_import"),
    path("export/", views.console_export, name="console_export"),
]
