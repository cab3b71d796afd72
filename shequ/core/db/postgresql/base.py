"""Django's PostgreSQL backend, with the connection health check skipped for a connection that just proved alive.

Every statement is compiled by Django's own compilers; only the batch path (`shequ.core.db.batch.insert_rows`)
uses the INSERT compiler of compiler.py, which builds each statement's text once per shape.

With persistent connections (DB_CONN_MAX_AGE > 0) and CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the
first query of every request: one more round trip for every intake, only to learn that the connection that
committed the previous intake a few milliseconds ago still works. This backend skips that check when the
connection's last COMMIT succeeded less than ALIVE_BYPASS_SECONDS ago, as HikariCP does (aliveBypassWindowMs).
A connection idle for longer is checked as before, so a restart of PostgreSQL during a quiet spell costs no
request; one that happens within that second fails at most one request per process (a 503, nothing
half-written), after which Django drops the broken connection.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

ALIVE_BYPASS_SECONDS = 1.0

# psycopg converts a statement's `%s` placeholders to `$n` on every execute, and caches the conversion only for a
# statement of at most 4 kB and 50 parameters (psycopg._queries): a guard against ORM statements of ever-changing
# length. An intake's batch of writes (shequ.core.db.batch) is one statement of a few fixed shapes, but some 5 kB
# and 70 parameters: converting it anew costs about 0.1 ms of CPU every time. Raise both limits so that its few
# shapes are cached too (the cache keeps 128 statements, least recently used first out). A psycopg without these
# module settings is left as it is.
BATCH_STATEMENT_LENGTH, BATCH_STATEMENT_PARAMS = 16384, 256
try:
    from psycopg import _queries as _psycopg_queries
except ImportError:  # pragma: no cover - psycopg 2 or a future layout
    _psycopg_queries = None  # type: ignore[assignment]
if _psycopg_queries is not None and hasattr(_psycopg_queries, "MAX_CACHED_STATEMENT_LENGTH"):
    _psycopg_queries.MAX_CACHED_STATEMENT_LENGTH = max(
        _psycopg_queries.MAX_CACHED_STATEMENT_LENGTH, BATCH_STATEMENT_LENGTH
    )
    _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = max(
        _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS, BATCH_STATEMENT_PARAMS
    )


class DatabaseWrapper(base.DatabaseWrapper):
    _alive_at: float | None = None
    # Set by Django's BaseDatabaseWrapper (connect(), close_if_unusable_or_obsolete()); django-stubs leaves them out.
    health_check_enabled: bool
    health_check_done: bool

    def commit(self) -> None:
        super().commit()
        self._alive_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._alive_at is not None
            and time.monotonic() - self._alive_at < ALIVE_BYPASS_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close(self) -> None:
        self._alive_at = None
        super().close()
