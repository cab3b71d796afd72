from django.urls import path

from . import views, views_password, views_register

app_name = "accounts"
urlpatterns = [
    path("login/", views.staff_login, name="login"),
    path("login/verify/", views.staff_totp, name="totp"),
    path("resident/", views.resident_login, name="resident_login"),
    path("resident/code/", views.resident_send_code, name="resident_send_code"),
    path("resident/register/", views_register.resident_register, name="resident_register"),
    path("resident/register/code/", views_register.resident_register_code, name="resident_register_code"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views_password.password_change_view, name="password_change"),
]
