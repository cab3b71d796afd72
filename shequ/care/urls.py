from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("console/care/", views.home, name="home"),
    path("console/care/report/", views.report, name="report"),
    path("console/care/discoveries/", views.discoveries, name="discoveries"),
    path("console/care/discoveries/<int:pk>/decide/", views.discovery_decide, name="discovery_decide"),
    path("console/care/cases/", views.cases, name="cases"),
    path("console/care/cases/<int:pk>/", views.case, name="case"),
    path("console/care/groups/", views.groups, name="groups"),
    path("console/care/groups/new/", views.group_new, name="group_new"),
    path("console/care/supervision/", views.supervision, name="supervision"),
    path("console/care/referrals/", views.referrals, name="referrals"),
    path("console/care/referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("console/care/minor-report/", views.minor_report, name="minor_report"),
    path("console/care/orders/", views.orders, name="orders"),
    path("console/care/orders/<int:pk>/complete/", views.order_complete, name="order_complete"),
]
