"""The OpenAPI document declares what each operation can answer (issue 19): a client, and the schema-driven fuzz
test (test_fuzz.py), can tell a declared error from a bug only if every error status is in the document."""

from __future__ import annotations

import pytest

from shequ.core.api.pagination import MAX_LIMIT, MAX_OFFSET

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", path, operation


def resolve(document: dict, schema: dict) -> dict:
    ref = schema.get("$ref", "")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def error_schema(document: dict, response: dict) -> dict | None:
    content = response.get("content", {}).get("application/json")
    return resolve(document, content["schema"]) if content else None


def test_every_operation_declares_400_413_and_503_with_the_error_shape(document):
    missing, wrong_shape = [], []
    for name, _, operation in operations(document):
        responses = operation["responses"]
        for status in ("400", "413", "503"):
            if status not in responses:
                missing.append(f"{name} {status}")
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                schema = error_schema(document, response)
                if schema is None or not {"code", "message", "fields"} <= set(schema.get("required", [])):
                    wrong_shape.append(f"{name} {status}")
    assert not missing, missing
    assert not wrong_shape, wrong_shape


def test_protected_operations_declare_401_and_403(document):
    missing = []
    for name, _, operation in operations(document):
        if operation.get("security"):
            missing += [
                f"{name} {status}" for status in ("401", "403") if status not in operation["responses"]
            ]
    assert not missing, missing


def test_operations_on_one_object_declare_404(document):
    missing = [
        name
        for name, path, operation in operations(document)
        if "{" in path and "404" not in operation["responses"]
    ]
    assert not missing, missing


def test_no_operation_declares_a_500(document):
    declared = [name for name, _, operation in operations(document) if "500" in operation["responses"]]
    assert not declared, declared


def test_every_paged_list_declares_its_bounds(document):
    paged = 0
    for name, _, operation in operations(document):
        params = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if "limit" in params and "offset" in params:
            paged += 1
            assert params["limit"]["maximum"] == MAX_LIMIT and params["limit"]["minimum"] == 1, name
            assert params["offset"]["maximum"] == MAX_OFFSET and params["offset"]["minimum"] == 0, name
    assert paged >= 7  # areas, residents, rules, appeals, warnings, facilities, notices


def test_ids_in_paths_are_bounded_to_64_bits(document):
    unbounded = []
    for name, _, operation in operations(document):
        for p in operation.get("parameters", []):
            schema = p["schema"]
            if p["in"] == "path" and schema.get("type") == "integer" and schema.get("maximum") != 2**63 - 1:
                unbounded.append(f"{name} {p['name']}")
    assert not unbounded, unbounded
