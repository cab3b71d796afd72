from django.urls import path

from . import views, views_subjects

app_name = "credit"
urlpatterns = [
    path("credit/", views.public_lists, name="public"),
    path("console/credit/", views.console_lists, name="console_lists"),
    path("console/credit/compute/", views.console_compute, name="console_compute"),
    path("console/credit/subjects/", views_subjects.console_subjects, name="console_subjects"),
    path("console/credit/subjects/<int:pk>/", views_subjects.console_subject, name="console_subject"),
    path(
        "console/credit/subjects/<int:pk>/edit/",
        views_subjects.console_subject_edit,
        name="console_subject_edit",
    ),
]
