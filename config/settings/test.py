"""Test settings: the same as base, faster hashing, and whatever DATABASE_URL / CELERY_BROKER_URL CI gives."""

from .base import *  # noqa: F403
from .env import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run eagerly unless a test starts a real worker on the broker (marked `broker`).
CELERY_TASK_ALWAYS_EAGER = True
TEST_CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
