"""Fixtures of the audit tests: the audit administrator and a worker from the fixed cast."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def zhaomin(db):
    """赵敏, the audit administrator."""
    return get_user_model().objects.create_user(username="zhaomin")


@pytest.fixture
def lina(db):
    """李娜, a community worker in 华富街道."""
    return get_user_model().objects.create_user(username="lina")


@pytest.fixture(autouse=True)
def _one_chain(settings):
    """The audit tests read consecutive entries as linked: one chain, as on SQLite. The tests of several chains
    set their own number; every other test of the suite runs with the default (8 on PostgreSQL)."""
    settings.SHEQU_AUDIT_CHAINS = 1


@pytest.fixture(autouse=True)
def _numbered_from_one(request):
    """On PostgreSQL seq comes from a sequence, which a test's rollback does not rewind: start it at 1 again,
    so that every test's first entry is #1, as on SQLite (each test starts with an empty trail)."""
    if not (
        request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    ):
        return
    fixture = "transactional_db" if "transactional_db" in request.fixturenames else "db"
    request.getfixturevalue(fixture)
    from django.db import connection

    from shequ.audit.services import SEQ_SEQUENCE

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(%s, 1, false)", [SEQ_SEQUENCE])
