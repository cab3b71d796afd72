from django.urls import path

from . import views, views_console

app_name = "participation"
urlpatterns = [
    path("participation/", views.lists, name="lists"),
    path("participation/needs/<int:pk>/", views.need_public, name="need"),
    path("participation/projects/<int:pk>/", views.project_public, name="project"),
    path("participation/meetings/<int:pk>/", views.meeting_public, name="meeting"),
    path("participation/topics/<int:pk>/", views.topic, name="topic"),
    path("participation/topics/<int:pk>/act/", views.topic_act, name="topic_act"),
    path("participation/checkin/<str:token>/", views.checkin, name="checkin"),
    path("participation/polls/<int:pk>/answer/", views.poll_answer, name="poll_answer"),
    path("me/participation/", views.my_needs, name="my_needs"),
    path("me/participation/needs/new/", views.need_new, name="need_new"),
    path("me/participation/needs/<int:pk>/", views.my_need, name="my_need"),
    path("console/participation/", views_console.overview, name="console"),
    path("console/participation/needs/<int:pk>/", views_console.need, name="console_need"),
    path("console/participation/resources/new/", views_console.resource_new, name="console_resource_new"),
    path("console/participation/projects/new/", views_console.project_new, name="console_project_new"),
    path("console/participation/projects/<int:pk>/", views_console.project, name="console_project"),
    path("console/participation/export/<str:which>/", views_console.export, name="console_export"),
    path("console/participation/meetings/new/", views_console.meeting_new, name="console_meeting_new"),
    path("console/participation/meetings/<int:pk>/", views_console.meeting, name="console_meeting"),
    path("console/participation/topics/new/", views_console.topic_new, name="console_topic_new"),
    path(
        "console/participation/comments/<int:pk>/review/",
        views_console.comment_review,
        name="console_comment_review",
    ),
]
