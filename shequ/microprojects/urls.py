from django.urls import path

from . import views

app_name = "microprojects"
urlpatterns = [
    path("microprojects/", views.my_rounds, name="my_rounds"),
    path("microprojects/rounds/<int:pk>/", views.my_round, name="my_round"),
    path("microprojects/receipt/", views.receipt, name="receipt"),
    path("microprojects/disclosure/<int:pk>/", views.disclosure, name="disclosure"),
    path("microprojects/projects/<int:pk>/", views.project, name="project"),
    path("microprojects/photos/<int:pk>/", views.photo, name="photo"),
    path("console/microprojects/", views.console_home, name="console_home"),
    path("console/microprojects/rounds/<int:pk>/", views.console_round, name="console_round"),
    path("console/microprojects/projects/<int:pk>/", views.console_project, name="console_project"),
]
