from django.urls import path

from . import views_categories, views_console, views_emergency, views_photos, views_portal, views_rules

app_name = "appeals"
urlpatterns = [
    path("appeals/new/", views_portal.new_describe, name="new_describe"),
    path("appeals/new/suggest/", views_portal.suggest_fragment, name="suggest"),
    path("appeals/new/areas/", views_portal.area_options, name="area_options"),
    path("appeals/new/location/", views_portal.new_location, name="new_location"),
    path("appeals/new/confirm/", views_portal.new_confirm, name="new_confirm"),
    path("appeals/new/support/<int:pk>/", views_portal.new_support, name="new_support"),
    path("appeals/photos/<int:pk>/", views_photos.photo_file, name="photo"),
    path("me/appeals/", views_portal.my_list, name="my_list"),
    path("me/appeals/<int:pk>/", views_portal.my_detail, name="my_detail"),
    path("me/appeals/<int:pk>/rate/", views_portal.my_rate, name="my_rate"),
    path("console/appeals/", views_console.console_list, name="console_list"),
    path("console/emergencies/", views_emergency.console_emergencies, name="console_emergencies"),
    path("console/appeals/export/", views_console.console_export, name="console_export"),
    path("console/rules/", views_rules.rules_page, name="rules"),
    path("console/rules/<int:pk>/end/", views_rules.rule_end, name="rule_end"),
    path("console/categories/", views_categories.category_list, name="categories"),
    path("console/categories/new/", views_categories.category_new, name="category_new"),
    path("console/categories/<int:pk>/", views_categories.category_edit, name="category_edit"),
    path("console/appeals/bulk-dispatch/", views_console.console_bulk_dispatch, name="console_bulk_dispatch"),
    path("console/appeals/<int:pk>/", views_console.console_detail, name="console_detail"),
    # Before console_act, whose <str:action> would take "reveal" for an action.
    path("console/appeals/<int:pk>/reveal/", views_console.console_reveal, name="console_reveal"),
    path("console/appeals/<int:pk>/call/", views_console.console_call, name="console_call"),
    path("console/appeals/<int:pk>/<str:action>/", views_console.console_act, name="console_act"),
]
