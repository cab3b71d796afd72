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
# Fixed keys for tests: test2 is current, test1 an older key still accepted for decryption.
SHEQU_DATA_KEYS = (
    "test2:b_ZxwomcHlCnyOXcHvl9aRQw_jK0F8QE8OzL79Cf_kY=,test1:jBmdVCU0tSUrruBzquvLXaqedLu9cfupztxp11tlrqI="
)
SHEQU_HASH_KEY = "hsn_Oinu3N4_g9OoTAvCbQMs4SIqaRURw4t-s2jM1Qs="
SHEQU_ALLOW_LOCAL_KEYFILE = False
# Records every response for the leak scan in conftest.py.
MIDDLEWARE = [*MIDDLEWARE, "shequ.core.testing.ResponseRecorderMiddleware"]  # noqa: F405
