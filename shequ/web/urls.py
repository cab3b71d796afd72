from django.urls import path

from . import console, prefs, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("prefs/elder/", prefs.toggle_elder, name="toggle_elder"),
    path("console/", console.console_home, name="console"),
    path("console/outbox/", console.outbox, name="outbox"),
]
