from config.urls import urlpatterns as platform
from django.urls import path

from .naive import naive_signup

urlpatterns = [path("bench/naive-signup/<int:shift_id>", naive_signup), *platform]
