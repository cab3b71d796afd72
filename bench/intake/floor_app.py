"""WSGI entry point of bench/intake/floor.py's gunicorn: the project as config.wsgi serves it, but with the bench-only
URLconf bench/intake/floor_urls.py (the trivial /floor/* endpoints in front of config.urls).

Same settings module (config.settings.base), same middleware, same database settings as config.wsgi; only
ROOT_URLCONF differs. What config.wsgi.get_wsgi_application() does, with the URLconf swapped in between.
"""

from __future__ import annotations

import os

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
django.setup(set_prefix=False)
settings.ROOT_URLCONF = "bench.intake.floor_urls"
application = WSGIHandler()
