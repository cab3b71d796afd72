from django.urls import path

from . import views, views_console

app_name = "timebank"
urlpatterns = [
    path("me/timebank/", views.account, name="account"),
    path("me/timebank/transfer/", views.transfer, name="transfer"),
    path("me/timebank/family/", views.family, name="family"),
    path("me/timebank/family/<int:pk>/confirm/", views.family_confirm, name="family_confirm"),
    path("me/timebank/help/", views.help_list, name="help_list"),
    path("me/timebank/help/<int:pk>/", views.help_detail, name="help_detail"),
    path("me/timebank/help/<int:pk>/<str:action>/", views.help_act, name="help_act"),
    path("timebank/help/", views.help_open, name="help_open"),
    path("timebank/market/", views.market, name="market"),
    path("timebank/market/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("console/timebank/", views_console.overview, name="console"),
    path("console/timebank/issue/", views_console.issue, name="console_issue"),
    path("console/timebank/settlement/", views_console.settlement, name="console_settlement"),
    path(
        "console/timebank/settlement/export/",
        views_console.settlement_export,
        name="console_settlement_export",
    ),
    path(
        "console/timebank/transfers/export/", views_console.transfers_export, name="console_transfers_export"
    ),
    path("console/timebank/goods/", views_console.goods, name="console_goods"),
    path("console/timebank/goods/<int:pk>/", views_console.goods_edit, name="console_goods_edit"),
    path("console/timebank/rules/", views_console.rules, name="console_rules"),
    path("console/timebank/goods/<int:pk>/restock/", views_console.restock, name="console_restock"),
]
