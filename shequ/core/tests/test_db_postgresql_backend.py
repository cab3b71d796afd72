"""The PostgreSQL backend's health-check bypass (shequ.core.db.postgresql): a connection that committed within the last second
is not asked `SELECT 1` again; one idle for longer, or that never committed, is."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction

from shequ.core.db.postgresql import base as pg_base

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the backend of PostgreSQL")


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def checks(transactional_db, monkeypatch) -> list[int]:
    """Health checks enabled as in production; each `is_usable` call (the SELECT 1) is counted."""
    calls: list[int] = []
    wrapper = connections["default"]
    assert isinstance(wrapper, pg_base.DatabaseWrapper)  # the settings use this backend on PostgreSQL
    real = wrapper.is_usable

    def counted() -> bool:
        calls.append(1)
        return real()

    monkeypatch.setattr(wrapper, "is_usable", counted)
    monkeypatch.setattr(connection, "health_check_enabled", True)
    connection.ensure_connection()
    return calls


def new_request() -> None:
    connection.health_check_done = False  # what close_if_unusable_or_obsolete does at every request's start


def test_a_connection_that_just_committed_is_not_checked_again(checks, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(pg_base.time, "monotonic", clock)
    with transaction.atomic():
        pass
    new_request()
    clock.now += 0.5
    connection.close_if_health_check_failed()
    assert checks == [] and connection.health_check_done

    new_request()
    clock.now += 1.0  # 1.5 s after the commit
    connection.close_if_health_check_failed()
    assert checks == [1] and connection.connection is not None


def test_a_connection_that_never_committed_or_was_closed_is_checked(checks):
    connection._alive_at = None
    new_request()
    connection.close_if_health_check_failed()
    assert checks == [1]

    with transaction.atomic():
        pass
    connection.close()
    assert connection._alive_at is None
