"""Settings modules read the environment; prod refuses unsafe configurations (run as subprocesses)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
    "ALLOWED_HOSTS": "shequ.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "SHEQU_DATA_KEYS": "p1:b_ZxwomcHlCnyOXcHvl9aRQw_jK0F8QE8OzL79Cf_kY=",
    "SHEQU_HASH_KEY": "hsn_Oinu3N4_g9OoTAvCbQMs4SIqaRURw4t-s2jM1Qs=",
    # Stands where a real gateway's adapter would (production refuses the demo outbox).
    "SHEQU_SMS_CHANNEL": "shequ.accounts.testing.CapturingChannel",
    # Likewise a privacy-number provider's adapter (production refuses the demo call bridge).
    "SHEQU_CALL_BRIDGE": "shequ.appeals.calls.ProviderBridge",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "SECRET_KEY", "ALLOWED_HOSTS", "MEDIA_ROOT"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def python_c(code: str, env: dict[str, str]) -> str:
    """Run `python -c code` in the project with exactly `env`; what it printed, stripped."""
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_prod_deploy_check_reports_nothing():
    r = manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SHEQU_DATA_KEYS"])
def test_prod_refuses_to_start_without(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    r = manage("check", env=env)
    assert r.returncode != 0
    assert f"{missing}" in r.stderr and "must be set" in r.stderr


def test_prod_refuses_the_demo_outbox_as_its_sms_channel():
    unset = manage("check", env={k: v for k, v in PROD_ENV.items() if k != "SHEQU_SMS_CHANNEL"})
    assert unset.returncode != 0 and "SHEQU_SMS_CHANNEL must be set" in unset.stderr
    outbox = manage("check", env={**PROD_ENV, "SHEQU_SMS_CHANNEL": "shequ.accounts.channels.OutboxChannel"})
    assert outbox.returncode != 0 and "SHEQU_SMS_CHANNEL must be set" in outbox.stderr


def test_prod_refuses_the_demo_call_bridge():
    unset = manage("check", env={k: v for k, v in PROD_ENV.items() if k != "SHEQU_CALL_BRIDGE"})
    assert unset.returncode != 0 and "SHEQU_CALL_BRIDGE must name" in unset.stderr
    demo = manage("check", env={**PROD_ENV, "SHEQU_CALL_BRIDGE": "shequ.appeals.calls.DemoBridge"})
    assert demo.returncode != 0 and "SHEQU_CALL_BRIDGE must name" in demo.stderr


def test_prod_refuses_any_demo_channel_whatever_its_name():
    # A demo channel under another name passes the settings' own test, not the system check.
    r = manage("check", env={**PROD_ENV, "SHEQU_SMS_CHANNEL": "tests.test_settings.RenamedOutbox"})
    assert r.returncode != 0 and "accounts.E002" in r.stdout + r.stderr


def test_prod_refuses_the_embedded_secret_key():
    r = manage("check", env={**PROD_ENV, "SECRET_KEY": "embedded-insecure-key-for-local-use-only-never"})
    assert r.returncode != 0 and "SECRET_KEY must be set" in r.stderr


class RenamedOutbox:
    """A demo channel under another name (test_prod_refuses_any_demo_channel_whatever_its_name)."""

    demo = True

    def send(self, **kwargs):
        raise AssertionError("never sends")


def test_embedded_default_needs_no_variable(tmp_path):
    code = (
        "from django.conf import settings as s; import django; django.setup(); "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.MEDIA_ROOT, "
        "s.CELERY_TASK_ALWAYS_EAGER)"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MEDIA_ROOT", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    engine, name, media, eager = python_c(
        code, {**base, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    ).split()
    assert engine == "django.db.backends.sqlite3" and name.endswith("var/shequ.sqlite3")
    assert media.endswith("var/media") and eager == "True"


@pytest.mark.parametrize("module", ["config.settings.base", "config.settings.test"])
def test_database_url_and_media_root_override_every_module(module, tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['NAME'], s.MEDIA_ROOT)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": module,
        "DATABASE_URL": f"sqlite:///{tmp_path}/other.db",
        "MEDIA_ROOT": str(tmp_path / "m"),
    }
    assert python_c(code, env).split() == [f"{tmp_path}/other.db", str(tmp_path / "m")]


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ is True


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only property; this run is on " + connection.vendor)
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The in-memory test database cannot use WAL; a file database must.
    assert mode == ("memory" if connection.is_in_memory_db() else "wal")


def test_a_file_sqlite_database_is_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection as c; "
        "cur = c.cursor(); cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path}/wal.db",
    }
    assert python_c(code, env) == "wal"


def test_postgresql_binds_on_the_server_and_prepares_statements_unless_told_not_to():
    code = (
        "import django; django.setup(); from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )

    def options(**extra: str) -> list[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "DB_"))}
        return python_c(code, {**env, "DJANGO_SETTINGS_MODULE": "config.settings.base", **extra}).split()

    pg = "postgres://postgres@127.0.0.1:5432/test"
    assert options(DATABASE_URL=pg) == ["True", "2"]
    # e.g. behind a PgBouncer that cannot keep prepared statements
    assert options(DATABASE_URL=pg, DB_PREPARED_STATEMENTS="false") == ["None", "None"]
    assert options(DATABASE_URL="sqlite:///x.db") == ["None", "None"]


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_on_the_server():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only property; this run is on " + connection.vendor)
    from shequ.appeals.models import Appeal

    marker = "prepared-statement-probe"
    for _ in range(3):  # prepare_threshold 2: parsed and planned once, from the third run on
        list(Appeal.objects.filter(text=marker).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%appeals_appeal%"]
        )
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"text" = $1' in sql for sql in prepared), prepared
