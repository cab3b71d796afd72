"""A bounded, deterministic schema-driven fuzz run of /api/v1 (issue 19), in-process through the WSGI application.

Schemathesis reads /api/v1/openapi.json and sends every operation requests built from its schema, valid ones and
ones that break it (negative mode), as the 12345 dispatcher with a bearer token and as an anonymous caller. Each
answer must not be a 5xx (a 503 too: the database is up here, so a 503 means a client's input reached it), must
have a status the operation declares, and a body that matches the declared schema.

This is the short run CI makes (a few examples per operation, derandomized so that it is not flaky);
`bench/fuzz/run.py` runs the same checks for minutes against a seeded database (bench/fuzz/README.md).
SHEQU_FUZZ_EXAMPLES raises the number of examples per operation.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("SHEQU_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES, deterministic=True
)
# Every 5xx is a failure here, 503 included (the check's default expects none of them either).
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request (close_old_connections), which would end
    the test's transaction on PostgreSQL; Django's test client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(cast) -> str:
    from shequ.accounts.tokens import token_issue

    _, raw = token_issue(user=cast["sunli"], name="fuzz", days=1)
    return raw


@schema.parametrize()
@FUZZ_SETTINGS
def test_the_api_answers_the_dispatcher_as_its_schema_says(case, staff_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {staff_token}"}, checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_the_api_answers_an_anonymous_caller_as_its_schema_says(case, cast):
    case.call_and_validate(checks=CHECKS)
