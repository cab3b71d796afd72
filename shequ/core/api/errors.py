"""What every /api/v1 operation may answer besides success, declared once for the OpenAPI document.

Each operation lists its error statuses with `response={200: X, **errors(401, 403, 404)}`: the statuses every
operation can give (`ALWAYS`) are added, and each of them carries the platform's error shape (DESIGN.md §7).
A client, and the schema-driven fuzz test (shequ/api/tests/test_fuzz.py), can then tell a declared answer from a
bug. 500 is never declared: it is always a bug.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema

# 400: a parameter or the body is not valid (or the Host header is not ours); 413: the body is larger than the cap
# (shequ.api.middleware); 503: the database is not available (a real outage: the client may retry).
ALWAYS = (400, 413, 503)
# The usual sets, named by what the operation does.
PROTECTED_READ = (401, 403, 404)  # signed in, may be refused by role (403) or scope (404)
PROTECTED_WRITE = (401, 403, 404, 409)  # … and may conflict with the current state
CREATE = (409, 422)  # Idempotency-Key: a retry of a failed first (409) or a different body for the key (422)


class ErrorOut(Schema):
    """The error shape: a stable machine `code`, a human `message`, and per-field messages in `fields`."""

    code: str
    message: str
    fields: dict[str, Any]


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error part of an operation's `response=`: `ALWAYS` and these codes, each with the error shape."""
    return {code: ErrorOut for code in sorted({*ALWAYS, *codes})}
