from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.board, name="board"),
    path("export/", views.export, name="export"),
    path("report/", views.report, name="report"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/act/", views.task_act, name="task_act"),
    path("i/<str:key>/", views.detail, name="detail"),
]
