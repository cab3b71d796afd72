from django.urls import path

from . import views

app_name = "owners"
urlpatterns = [
    path("owners/", views.my_votes, name="my_votes"),
    path("owners/votes/<int:pk>/", views.my_vote, name="my_vote"),
    path("owners/votes/<int:pk>/result/", views.result, name="result"),
    path("owners/receipt/", views.receipt, name="receipt"),
    path("console/owners/", views.console_home, name="console_home"),
    path("console/owners/estates/<int:pk>/", views.console_estate, name="console_estate"),
    path("console/owners/votes/new/", views.console_vote_new, name="console_vote_new"),
    path("console/owners/votes/<int:pk>/", views.console_vote, name="console_vote"),
    path(
        "console/owners/votes/<int:pk>/<str:action>/", views.console_vote_action, name="console_vote_action"
    ),
    path("console/owners/documents/<int:pk>/", views.console_document, name="console_document"),
]
