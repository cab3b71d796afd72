"""Settings for every environment, read from the environment in one place.

The embedded default (no variable set) is one machine with no servers: SQLite under var/, Celery tasks run
eagerly, files under var/media. Production (config.settings.prod) is the same code with servers configured
through DATABASE_URL, CELERY_BROKER_URL, REDIS_URL and MEDIA_ROOT (DESIGN.md §6).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("SHEQU_VAR_DIR", str(BASE_DIR / "var")))

# The embedded default is for a developer's machine; prod.py refuses to start without a real key.
SECRET_KEY = env("SECRET_KEY", "embedded-insecure-key-for-local-use-only-never-in-production")
DEBUG = envbool("DEBUG", True)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "shequ.accounts.apps.ShequAdminConfig",  # Django's admin behind password + TOTP
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "shequ.core",
    "shequ.geo",
    "shequ.accounts",
    "shequ.audit",
    "shequ.access",
    "shequ.messages",
    "shequ.residents",
    "shequ.indicators",
    "shequ.appeals",
    "shequ.open311",
    "shequ.dispatch",
    "shequ.earlywarning",
    "shequ.facilities",
    "shequ.registries",
    "shequ.notices",
    "shequ.owners",
    "shequ.surveys",
    "shequ.credit",
    "shequ.volunteers",
    "shequ.venues",
    "shequ.timebank",
    "shequ.care",
    "shequ.emergency",
    "shequ.participation",
    "shequ.microprojects",
    "shequ.api",
    "shequ.web",
    "shequ.dashboards",
    "shequ.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shequ.core.security.SecurityHeadersMiddleware",
    "shequ.core.middleware.ChineseFirstLocaleMiddleware",
    # /api/ and /open311/ answer every error in their own format (before CommonMiddleware reads the Host).
    "shequ.api.middleware.ApiBoundaryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shequ.audit.middleware.AuditContextMiddleware",
    "shequ.accounts.middleware.IdleTimeoutMiddleware",
    "shequ.accounts.middleware.StaffSignInMiddleware",
    "shequ.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shequ" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shequ.web.context.ui",
                "shequ.emergency.context.banner",  # the warning banner on the portal's pages
            ],
        },
    }
]


# --- database -------------------------------------------------------------------------------------------
def database_from_url(url: str) -> dict:
    """DATABASE_URL (postgres://… or sqlite:///path) → Django DATABASES entry with our per-engine options."""
    config: dict = dict(dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 0)))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN, so two
        # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        }
        config.setdefault("TEST", {})
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, but a connection that committed less than a second ago skips the health check.
        config["ENGINE"] = "shequ.core.db.postgresql"
        options = config.setdefault("OPTIONS", {})
        # Parameters bound on the server and statements prepared from their second run on each connection: an
        # intake's statements are parsed and planned once, not on every request. Off for a pooler that cannot keep
        # prepared statements across transactions (PgBouncer in transaction mode before 1.21).
        if envbool("DB_PREPARED_STATEMENTS", True):
            options["server_side_binding"] = True
            options["prepare_threshold"] = 2
        # JIT off: it compiles queries that merely look expensive (a scoped list's count spent 1.0 of its 1.5 s
        # compiling at 200,000 appeals) and never pays off for these short OLTP reads (docs/operations.md).
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'shequ.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache & sessions --------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- signing in --------------------------------------------------------------------------------------------
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/console/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# A refused form answers with our page in Chinese, not Django's English one (issue 21).
CSRF_FAILURE_VIEW = "shequ.web.errors.csrf_failure"
SHEQU_STAFF_IDLE_SECONDS = envint("SHEQU_STAFF_IDLE_SECONDS", 15 * 60)
# A staff session ends 12 hours after its sign-in however active it is (ASVS 7.3.2; NIST SP 800-63B's limit for
# AAL2 re-authentication), so a working day needs one sign-in and a stolen session does not last beyond it.
SHEQU_STAFF_MAX_SESSION_SECONDS = envint("SHEQU_STAFF_MAX_SESSION_SECONDS", 12 * 3600)
SHEQU_OTP_TTL_SECONDS = 300
SHEQU_TOTP_ISSUER = "Shequ"
# The embedded default is the demo channel (演示通道): it sends nothing, keeps messages (codes masked) in the outbox
# and shows a sign-in code to the browser that asked for it. Production names a gateway (prod.py refuses the demo).
SHEQU_SMS_CHANNEL = env("SHEQU_SMS_CHANNEL", "shequ.accounts.channels.OutboxChannel")
SHEQU_SMS_DEMO_ALLOWED = True
# Calling a requester through a privacy number (appeals.calls): the embedded default is the demo bridge (演示通道),
# which calls nobody and records the call in the outbox; production names a provider's adapter (prod.py refuses it).
SHEQU_CALL_BRIDGE = env("SHEQU_CALL_BRIDGE", "shequ.appeals.calls.DemoBridge")
SHEQU_CALL_DEMO_ALLOWED = True
# Text-message codes sent, as (messages, window in seconds): per phone one a minute and ten a day; per IP a cap an
# hour generous enough for a carrier NAT with many residents behind one address.
SHEQU_SMS_SEND_LIMITS: dict[str, list[tuple[int, int]]] = {
    "phone": [(1, 60), (10, 24 * 3600)],
    "ip": [(envint("SHEQU_SMS_PER_IP_HOUR", 300), 3600)],
}
# Lockout with back-off: after `free` failures, lock base·2^(n-free) seconds, at most `cap`. The password step
# counts on "user", the second factor on "totp", wrong text-message codes on "otp" (and every failure on "ip").
SHEQU_LOGIN_THROTTLE = {
    "user": {"free": 5, "base_seconds": 60, "cap_seconds": 3600},
    "totp": {"free": 5, "base_seconds": 60, "cap_seconds": 3600},
    "name": {"free": 5, "base_seconds": 60, "cap_seconds": 3600},
    "ip": {"free": 30, "base_seconds": 60, "cap_seconds": 3600},
    "phone": {"free": 5, "base_seconds": 60, "cap_seconds": 3600},
    "otp": {"free": 5, "base_seconds": 60, "cap_seconds": 3600},
}
SHEQU_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# --- the map's base layer ---------------------------------------------------------------------------------------
# Embedded default: no tiles, only what the city pack has (district boundaries; no tile server, no CDN). Production
# may name a tile server (an {z}/{x}/{y} URL template), its attribution, and the datum its tiles are drawn in:
# "wgs84", or "gcj02" for a Chinese provider's (the page then shifts our WGS84 shapes and points: shequ.geo.coords
# and shequ/static/shequ/coords.js). The tile server's origin is added to the CSP's img-src.
SHEQU_MAP = {
    "tiles": env("SHEQU_MAP_TILES", ""),
    "attribution": env("SHEQU_MAP_ATTRIBUTION", ""),
    "crs": env("SHEQU_MAP_CRS", "wgs84"),
}
if SHEQU_MAP["crs"] not in ("wgs84", "gcj02"):
    raise ValueError("SHEQU_MAP_CRS must be wgs84 or gcj02")
if SHEQU_MAP["tiles"]:
    from urllib.parse import urlsplit

    _tiles = urlsplit(SHEQU_MAP["tiles"].replace("{s}", "a"))
    if _tiles.scheme != "https":
        raise ValueError("SHEQU_MAP_TILES must be an https:// URL template")
    _origin = (
        f"https://{_tiles.netloc}".replace("//a.", "//*.")
        if "{s}" in SHEQU_MAP["tiles"]
        else f"https://{_tiles.netloc}"
    )
    SHEQU_CSP["img-src"] += f" {_origin}"

# --- passwords -----------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shequ.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "shequ.accounts.passwords.ContextWordValidator"},
]

# --- language and time -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static and media files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "shequ" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Development, the demo and tests serve static files straight from the finders, DEBUG or not (the demo runs
# without DEBUG so that it shows the error pages people see); production runs collectstatic.
WHITENOISE_USE_FINDERS = envbool("SHEQU_STATIC_FROM_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG

# --- background jobs ------------------------------------------------------------------------------------
# Without a broker the embedded default runs tasks eagerly in the calling process (DESIGN.md §6).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", "")
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    # Deadlines live in the database; this scan warns, escalates and supervises (DESIGN.md §5).
    "appeals.scan_deadlines": {"task": "appeals.scan_deadlines", "schedule": 60.0},
    # Retention of the audit trail (SHEQU_AUDIT_RETENTION_DAYS), nightly.
    "audit.purge_expired": {"task": "audit.purge_expired", "schedule": crontab(hour=3, minute=30)},
    # Weak-signal early warnings (rises, repeats, new clusters) over yesterday's appeals, before the working day.
    "earlywarning.detect_daily": {"task": "earlywarning.detect_daily", "schedule": crontab(hour=6, minute=0)},
    # Smart dispatch after intake (auto-dispatch on a confident suggestion, possible duplicates): the rows intake
    # queued in its transaction, every few seconds (dispatch.models.IntakeQueue).
    "dispatch.after_intake_drain": {
        "task": "dispatch.after_intake_drain",
        "schedule": float(envint("SHEQU_AFTER_INTAKE_EVERY_SECONDS", 5)),
    },
    # Smart dispatch: new model versions from the week's dispatcher decisions, kept only if not worse; Sunday night.
    "dispatch.retrain": {"task": "dispatch.retrain", "schedule": crontab(hour=2, minute=0, day_of_week=0)},
    # Volunteer service: reminders of tomorrow's shifts through the message centre (and text messages).
    "volunteers.send_reminders": {"task": "volunteers.send_reminders", "schedule": 600.0},
    # Venues (shequ/venues): bookings nobody checked in to are released (no-show, strikes), held waitlist offers lapse
    # to the next person, and popular slots are drawn at their set time; every minute.
    "venues.scan": {"task": "venues.scan", "schedule": 60.0},
    # Time bank: unspent credits expire where a rule's expiry switch is on (off by default); nightly.
    "timebank.expire": {"task": "timebank.expire", "schedule": crontab(hour=3, minute=10)},
    # The 15-minute circle by population (shequ/facilities/coverage.py), stored for the pages; nightly.
    "facilities.circle_compute": {
        "task": "facilities.circle_compute",
        "schedule": crontab(hour=4, minute=10),
    },
    # The plan's indicators for every area, after the circle they read (shequ/indicators); overdue plan tasks warned
    # and supervised before the working day.
    "indicators.rollup": {"task": "indicators.rollup", "schedule": crontab(hour=4, minute=40)},
    "indicators.scan_overdue_tasks": {
        "task": "indicators.scan_overdue_tasks",
        "schedule": crontab(hour=7, minute=0),
    },
    # Care (shequ/care): elders not visited, missed bookings and repeated-appeal warnings of people in special
    # groups become discovery entries, after the early warnings and before the working day.
    "care.scan": {"task": "care.scan", "schedule": crontab(hour=6, minute=20)},
    # Emergency warnings: batches of a fan-out lost with the broker or a worker are sent again (shequ/emergency).
    "emergency.fanout_resume": {"task": "emergency.fanout_resume", "schedule": 60.0},
    # Emergency supplies below their minimum, expired or expiring: their keepers are told, before the working day.
    "emergency.supply_alerts": {"task": "emergency.supply_alerts", "schedule": crontab(hour=7, minute=10)},
}

# --- platform ---------------------------------------------------------------------------------------------
SHEQU_CITY_PACK = env("SHEQU_CITY_PACK", "shenzhen")
SHEQU_READYZ_BROKER_TIMEOUT = float(env("SHEQU_READYZ_BROKER_TIMEOUT", "2"))

# Personal data: AES-256-GCM keys "kid:BASE64,kid:BASE64" (the first encrypts, all decrypt) and the HMAC key of
# the blind indexes. Left empty on a developer's machine, they come from var/keys.json (random, mode 0600).
SHEQU_DATA_KEYS = env("SHEQU_DATA_KEYS", "")
SHEQU_HASH_KEY = env("SHEQU_HASH_KEY", "")
SHEQU_ALLOW_LOCAL_KEYFILE = envbool("SHEQU_ALLOW_LOCAL_KEYFILE", True)
SHEQU_KEYFILE = VAR_DIR / "keys.json"
SHEQU_AUDIT_RETENTION_DAYS = envint("SHEQU_AUDIT_RETENTION_DAYS", 3 * 365)
# The audit trail's chains on PostgreSQL, each with its own lock (SQLite keeps one): audited writes across the city
# queue on one of them instead of all on one.
SHEQU_AUDIT_CHAINS = envint("SHEQU_AUDIT_CHAINS", 8)
SHEQU_TRUST_X_FORWARDED_FOR = envbool("SHEQU_TRUST_X_FORWARDED_FOR", False)
# The API's request bodies (shequ.api.middleware): a JSON or form body at most DATA_UPLOAD_MAX_MEMORY_SIZE (Django's
# 2.5 MB), a multipart upload at most this: 9 appeal photos of 8 MB (shequ.appeals.photos) and room for the form.
# Larger bodies get a 413 before they are read.
SHEQU_MAX_UPLOAD_BYTES = envint("SHEQU_MAX_UPLOAD_BYTES", 9 * 8 * 1024 * 1024 + 1024 * 1024)
# Every paged list of /api/v1: limit 1…100 (default 20), offset bounded (shequ.core.api.pagination).
NINJA_PAGINATION_CLASS = "shequ.core.api.pagination.Page"
SHEQU_OPEN311_JURISDICTION = env("SHEQU_OPEN311_JURISDICTION", "shenzhen.gov.cn")

# Smart dispatch (shequ/dispatch): after an intake that no responsibility-list rule dispatched, the active
# category model's suggestion dispatches the appeal when its probability reaches the threshold and the list gives
# the same unit (bench/dispatch/RESULTS.md: precision of the dispatched share at each threshold). The weekly
# retraining needs this many examples per model.
SHEQU_AUTO_DISPATCH = envbool("SHEQU_AUTO_DISPATCH", True)
SHEQU_AUTO_DISPATCH_THRESHOLD = float(env("SHEQU_AUTO_DISPATCH_THRESHOLD", "0.85"))
SHEQU_DISPATCH_MIN_EXAMPLES = envint("SHEQU_DISPATCH_MIN_EXAMPLES", 100)

# Possible duplicates at intake (并单, shequ/dispatch/duplicates.py). The threshold is the one measured in
# bench/duplicates/RESULTS.md; windows per category code (a category's own, else its parent's, else "default"):
# how long before the new appeal, and how far from it, an open appeal may be the same incident.
SHEQU_DUPLICATE_THRESHOLD = float(env("SHEQU_DUPLICATE_THRESHOLD", "0.22"))
SHEQU_DUPLICATE_WINDOWS: dict[str, dict[str, float]] = {
    "default": {"hours": 7 * 24, "radius_m": 500},
    "city_management": {"hours": 72, "radius_m": 300},  # rubbish, stalls, signs: cleared or moved within days
    "traffic": {"hours": 72, "radius_m": 300},
    "public_safety": {"hours": 24, "radius_m": 300},  # a gas smell or a fire is reported within hours
    "utilities": {"hours": 48, "radius_m": 1000},  # an outage is reported from many buildings at once
    "noise": {"hours": 7 * 24, "radius_m": 500},  # a building site keeps its neighbours awake for weeks
    "housing_property": {"hours": 7 * 24, "radius_m": 200},  # one estate
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Filters sit on handlers: a logger's filter would not see records passed up from child loggers.
    "filters": {"personal_data": {"()": "shequ.core.masking.PersonalDataLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
