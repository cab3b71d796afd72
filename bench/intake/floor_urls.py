"""Bench-only URLconf of bench/intake/floor.py: three trivial intake endpoints in front of the project's own URLs.

Served only by the gunicorn that floor.py starts (through bench/intake/floor_app.py); the project never imports it.

- POST /floor/empty    parse the JSON body, check `text`, answer 201 {"id": 1}; no database.
- POST /floor/insert   the same, then one INSERT into `bench_floor` in a transaction; 201 {"id": <new id>}.
- POST /floor/insert5  the same with five INSERTs in the transaction (the cost of a statement).
- everything else      the project's config.urls, so POST /api/v1/appeals is the real intake.

The views are csrf_exempt like every django-ninja operation (so CsrfViewMiddleware treats them as it treats the
real intake); the rest of the project's middleware runs for them as for any request.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# bench_floor is created by floor.py with raw SQL (bigserial id, text, created_at).
INSERT = "INSERT INTO bench_floor (text, created_at) VALUES (%s, %s) RETURNING id"


def _text(request: HttpRequest) -> str | None:
    """The body's `text` if the body is a JSON object whose `text` is a non-empty string."""
    try:
        body = json.loads(request.body)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        return None
    text = body.get("text") if isinstance(body, dict) else None
    return text if isinstance(text, str) and text.strip() else None


def _invalid() -> JsonResponse:
    return JsonResponse(
        {"code": "invalid", "message": "text must be a non-empty string", "fields": {}}, status=400
    )


@csrf_exempt
@require_POST
def empty(request: HttpRequest) -> JsonResponse:
    if _text(request) is None:
        return _invalid()
    return JsonResponse({"id": 1}, status=201)


def _inserting(statements: int):
    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> JsonResponse:
        text = _text(request)
        if text is None:
            return _invalid()
        with transaction.atomic(), connection.cursor() as cursor:
            for _ in range(statements):
                cursor.execute(INSERT, [text, timezone.now()])
                new_id = cursor.fetchone()[0]
        return JsonResponse({"id": new_id}, status=201)

    view.__name__ = view.__qualname__ = f"insert{statements}"
    return view


urlpatterns = [
    path("floor/empty", empty, name="floor-empty"),
    path("floor/insert", _inserting(1), name="floor-insert"),
    path("floor/insert5", _inserting(5), name="floor-insert5"),
    path("", include("config.urls")),
]
