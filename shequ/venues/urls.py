from django.urls import path

from . import views, views_console

app_name = "venues"
urlpatterns = [
    path("venues/", views.venue_list, name="list"),
    path("venues/checkin/", views.checkin, name="checkin"),
    path("venues/<int:pk>/", views.venue_day, name="day"),
    path("venues/<int:pk>/book/", views.venue_book, name="book"),
    path("venues/<int:pk>/wait/", views.venue_wait, name="wait"),
    path("me/bookings/", views.my_bookings, name="my_bookings"),
    path("me/bookings/series/", views.series_new, name="series_new"),
    path("me/bookings/<int:pk>/<str:action>/", views.my_booking_action, name="my_action"),
    path("console/venues/", views_console.venue_list, name="console_list"),
    path("console/venues/<int:pk>/", views_console.venue_day, name="console_day"),
    path(
        "console/venues/bookings/<int:pk>/<str:action>/", views_console.booking_action, name="console_action"
    ),
]
