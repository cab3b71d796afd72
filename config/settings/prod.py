"""Production: the same code with servers; refuses to start with an unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASE_URL, SECRET_KEY
from .env import env, envbool, envint, envlist

if not env("SECRET_KEY") or SECRET_KEY.startswith("embedded-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production"
    )
if not env("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
if not env("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in production (postgres://…)")
if not env("SHEQU_DATA_KEYS") or not env("SHEQU_HASH_KEY"):
    raise ImproperlyConfigured("SHEQU_DATA_KEYS and SHEQU_HASH_KEY must be set in production")
SHEQU_ALLOW_LOCAL_KEYFILE = False
# The outbox is the embedded demo channel (演示通道): it sends nothing and keeps codes on the server. Production
# names a real gateway (a subclass of shequ.accounts.channels.GatewayChannel); sms_channel() and the accounts system
# check refuse any demo channel as well, whatever its name.
if not env("SHEQU_SMS_CHANNEL") or env("SHEQU_SMS_CHANNEL").endswith("channels.OutboxChannel"):
    raise ImproperlyConfigured(
        "SHEQU_SMS_CHANNEL must be set to a real SMS gateway in production; the outbox is a demo channel"
    )
SHEQU_SMS_DEMO_ALLOWED = False
# Calls to requesters likewise: the demo bridge calls nobody; name a privacy-number provider's adapter.
if not env("SHEQU_CALL_BRIDGE") or env("SHEQU_CALL_BRIDGE").endswith("calls.DemoBridge"):
    raise ImproperlyConfigured(
        "SHEQU_CALL_BRIDGE must name a privacy-number provider's adapter in production; the demo bridge calls nobody"
    )
SHEQU_CALL_DEMO_ALLOWED = False

DEBUG = False
WHITENOISE_USE_FINDERS = False  # collectstatic's files only
WHITENOISE_AUTOREFRESH = False
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
_ = DATABASE_URL
