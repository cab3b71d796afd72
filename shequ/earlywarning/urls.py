from django.urls import path

from . import views

app_name = "earlywarning"
urlpatterns = [
    path("", views.console_list, name="console_list"),
    path("<int:pk>/<str:action>/", views.console_act, name="console_act"),
]
