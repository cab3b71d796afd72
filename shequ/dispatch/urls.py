from django.urls import path

from . import views

app_name = "dispatch"
urlpatterns = [
    path("duplicates/<int:pk>/merge/", views.duplicate_decide, {"decision": "merge"}, name="duplicate_merge"),
    path(
        "duplicates/<int:pk>/dismiss/",
        views.duplicate_decide,
        {"decision": "dismiss"},
        name="duplicate_dismiss",
    ),
]
