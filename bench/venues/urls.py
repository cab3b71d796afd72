from config.urls import urlpatterns as platform
from django.urls import path

from .naive import naive_book

urlpatterns = [path("bench/naive-book", naive_book), *platform]
