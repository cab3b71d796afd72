from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("surveys/", views.my_surveys, name="my_surveys"),
    path("surveys/<int:pk>/", views.answer, name="answer"),
    path("console/surveys/", views.console_home, name="console_home"),
    path("console/surveys/new/", views.console_new, name="console_new"),
    path("console/surveys/satisfaction/", views.console_satisfaction, name="console_satisfaction"),
    path("console/surveys/<int:pk>/", views.console_survey, name="console_survey"),
    path("console/surveys/<int:pk>/export/", views.console_export, name="console_export"),
    path("console/surveys/<int:pk>/<str:action>/", views.console_action, name="console_action"),
]
