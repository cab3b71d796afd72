from django.urls import path

from . import console, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("console/", console.console_home, name="console"),
    path("console/outbox/", console.outbox, name="outbox"),
]
