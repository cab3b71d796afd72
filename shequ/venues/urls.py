from django.urls import path

from . import views, views_activities, views_care, views_console

app_name = "venues"
urlpatterns = [
    path("venues/", views.venue_list, name="list"),
    path("venues/checkin/", views.checkin, name="checkin"),
    path("venues/<int:pk>/", views.venue_day, name="day"),
    path("venues/<int:pk>/photos/<str:name>/", views.venue_photo, name="photo"),
    path("venues/<int:pk>/book/", views.venue_book, name="book"),
    path("venues/<int:pk>/wait/", views.venue_wait, name="wait"),
    path("me/bookings/", views.my_bookings, name="my_bookings"),
    path("me/bookings/series/", views.series_new, name="series_new"),
    path("me/bookings/<int:pk>/<str:action>/", views.my_booking_action, name="my_action"),
    path("activities/", views_activities.activity_list, name="activities"),
    path("activities/attend/", views_activities.attend, name="attend"),
    path("activities/<int:pk>/", views_activities.activity_detail, name="activity"),
    path("activities/<int:pk>/enrol/", views_activities.activity_enrol, name="enrol"),
    path("me/activities/", views_activities.my_activities, name="my_activities"),
    path("me/activities/<int:pk>/cancel/", views_activities.my_activity_cancel, name="my_activity_cancel"),
    path("calendar/community/<str:code>.ics", views_activities.feed_community, name="feed_community"),
    path("calendar/me/<str:token>.ics", views_activities.feed_me, name="feed_me"),
    path("console/activities/", views_activities.console_activities, name="console_activities"),
    path("console/activities/<int:pk>/", views_activities.console_activity, name="console_activity"),
    path("daycare/", views_care.care_list, name="care_list"),
    path("daycare/<int:pk>/", views_care.care_place, name="care_place"),
    path("daycare/<int:pk>/book/", views_care.care_book, name="care_book"),
    path("me/daycare/", views_care.care_mine, name="care_mine"),
    path("me/daycare/<int:pk>/cancel/", views_care.care_cancel, name="care_cancel"),
    path("console/daycare/", views_care.console_care_list, name="console_care_list"),
    path("console/daycare/<int:pk>/", views_care.console_care_day, name="console_care_day"),
    path(
        "console/daycare/bookings/<int:pk>/checkin/",
        views_care.console_care_check_in,
        name="console_care_check_in",
    ),
    path("console/venues/", views_console.venue_list, name="console_list"),
    path("console/venues/new/", views_console.venue_new, name="console_new"),
    path("console/venues/<int:pk>/", views_console.venue_day, name="console_day"),
    path("console/venues/<int:pk>/edit/", views_console.venue_edit, name="console_edit"),
    path(
        "console/venues/bookings/<int:pk>/<str:action>/", views_console.booking_action, name="console_action"
    ),
]
