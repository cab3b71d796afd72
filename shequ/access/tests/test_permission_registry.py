"""Coverage of the permission matrix cannot rot silently (issue 19): every URL pattern of the project, and every
django-ninja operation by method, has an entry in permission_registry.py naming the test that walks its matrix or
saying why it is public; every entry names a route that exists and tests that exist."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from shequ.api.api import api

from .permission_registry import REGISTRY, Guarded, Matrix, Public

REGISTRY_FILE = "shequ/access/tests/permission_registry.py"
API_PREFIX = "api/v1/"
# The NinjaAPI's own pages (schema, docs, namespace root): routes, not operations.
NINJA_OWN = {"openapi-json", "openapi-view", "api-root"}


def _patterns(patterns=None, prefix: str = ""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name


def page_key(route: str) -> str:
    """A route as urls.py writes it, with a leading slash; regular expressions (Open311) read as `<name>`."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    return "/" + route.replace("^", "").replace("$", "").replace("\\", "")


def _operations() -> dict[str, set[str]]:
    """The API's operations from its OpenAPI schema: path → methods."""
    paths = api.get_openapi_schema()["paths"]
    return {path: {m.upper() for m in ops} for path, ops in paths.items()}


def project_keys() -> set[str]:
    """Every page and every API operation of the project, as the registry names them."""
    operations = _operations()
    keys: set[str] = set()
    for route, name in _patterns():
        if route.startswith(API_PREFIX) and name not in NINJA_OWN:
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            assert path in operations, (
                f"{path} is routed but missing from the OpenAPI schema (include_in_schema=False?): this test "
                f"cannot tell its methods; keep it in the schema or teach this test about it."
            )
            keys |= {f"{method} {path}" for method in operations[path]}
        else:
            keys.add(page_key(route))
    return keys


def _covered_by_prefix(key: str) -> bool:
    return any(k.endswith("*") and key.startswith(k[:-1]) for k in REGISTRY)


def resolve_test(name: str):
    module_name, _, attrs = name.partition("::")
    obj = importlib.import_module(module_name)
    for attr in attrs.split("::"):
        obj = getattr(obj, attr)
    return obj


def test_the_enumeration_sees_pages_api_operations_and_open311():
    keys = project_keys()
    assert "GET /api/v1/appeals/{appeal_id}" in keys and "POST /api/v1/appeals" in keys
    assert "/console/appeals/<int:pk>/<str:action>/" in keys and "/dashboard/export/" in keys
    assert "/open311/v2/discovery.<fmt>" in keys and "/admin/" in keys
    assert len([k for k in keys if k.startswith(("GET ", "POST "))]) >= 30


def test_every_endpoint_and_page_has_an_entry_in_the_registry():
    missing = sorted(k for k in project_keys() if k not in REGISTRY and not _covered_by_prefix(k))
    assert not missing, (
        f"These endpoints or pages have no entry in {REGISTRY_FILE}:\n  "
        + "\n  ".join(missing)
        + "\nFor each: write a test that walks its permission matrix (PermissionMatrixMixin."
        "assert_permission_matrix: anonymous, a user without the role, in scope, out of scope with the 404 of a "
        "missing object; for a write, check that the refused calls changed nothing) and add\n"
        '  "<key>": Matrix("dotted.module::Class::test_name"),\n'
        'or, if it is meant to be open to anyone, add "<key>": Public("why it is public") and allow it in '
        "tests/test_url_sweep.py too."
    )


def test_every_entry_names_a_route_that_exists():
    keys = project_keys()
    stale = sorted(
        k
        for k in REGISTRY
        if not (k in keys if not k.endswith("*") else any(x.startswith(k[:-1]) for x in keys))
    )
    assert not stale, f"{REGISTRY_FILE} names routes that no longer exist (remove or rename them): {stale}"


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_every_entry_is_complete_and_its_tests_exist(key):
    entry = REGISTRY[key]
    assert isinstance(entry, Matrix | Guarded | Public), key
    if isinstance(entry, Public | Guarded):
        assert len(entry.reason.strip()) >= 10, f"{key}: say why, in a sentence"
    if isinstance(entry, Matrix | Guarded):
        assert entry.tests, f"{key}: name the test that shows who may use it"
    for name in entry.tests:
        try:
            test = resolve_test(name)
        except (ImportError, AttributeError) as exc:
            pytest.fail(f"{key}: the test {name!r} named in {REGISTRY_FILE} does not exist ({exc})")
        assert callable(test) and test.__name__.startswith("test_"), f"{key}: {name} is not a test"
        if isinstance(entry, Matrix):
            assert "assert_permission_matrix" in inspect.getsource(test), (
                f"{key}: {name} does not walk the permission matrix (PermissionMatrixMixin.assert_permission_matrix)"
            )


def test_the_public_entries_agree_with_the_anonymous_sweep():
    """tests/test_url_sweep.py lets anonymous visitors through its allow-list only: the two lists must agree, so
    that nothing is let through there without a reason here, and nothing called public here is refused there."""
    from tests.test_url_sweep import PUBLIC, PUBLIC_POST

    def allowed(key: str) -> bool:
        method, _, path = key.rpartition(" ")
        route = path.lstrip("/")
        if any(re.match(p, route) for p in PUBLIC):
            return True
        return method == "POST" and any(re.match(p, route) for p in PUBLIC_POST)

    keys = project_keys()
    called_public = {k for k, e in REGISTRY.items() if isinstance(e, Public)}
    refused_there = sorted(k for k in called_public if not allowed(k))
    assert not refused_there, f"public in {REGISTRY_FILE} but not in the sweep's allow-list: {refused_there}"
    let_through = sorted(
        k
        for k in keys
        if allowed(k) and not isinstance(REGISTRY.get(k), Public | Guarded) and not _covered_by_prefix(k)
    )
    assert not let_through, (
        f"the sweep lets anonymous visitors reach these; call them Public here: {let_through}"
    )
