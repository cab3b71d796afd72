from django.urls import path

from . import views

app_name = "registries"
urlpatterns = [
    path("console/registries/", views.home, name="home"),
    path("console/registries/entry/<int:pk>/", views.entry_edit, name="entry"),
    path("console/registries/entry/<int:pk>/activities/", views.activity_add, name="activity_add"),
    path("console/registries/<str:register>/", views.entry_list, name="list"),
    path("console/registries/<str:register>/new/", views.entry_edit, name="new"),
    path("console/registries/<str:register>/import/", views.entry_import, name="import"),
    path("console/registries/<str:register>/template.xlsx", views.import_template, name="template"),
    path("console/registries/<str:register>/export.<str:fmt>", views.entry_export, name="export"),
]
