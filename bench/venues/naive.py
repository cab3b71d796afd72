"""The naive baseline: check for an overlap, then insert, with nothing in the database to stop a second booking.

It writes to its own plain table (`bench_naive_booking`, no constraint), made by run.py, because the platform's
table refuses an overlap on PostgreSQL whoever writes it. Same authentication (bearer token) and the same JSON body
as POST /api/v1/bookings; 201 or 409 like it. Autocommit, as a view without a transaction runs: the SELECT and the
INSERT are two statements, and another request can run between them.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from shequ.accounts.tokens import token_authenticate

TABLE = "bench_naive_booking"
CREATE = {
    "postgresql": f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, venue_id bigint NOT NULL, "
    f'start timestamptz NOT NULL, "end" timestamptz NOT NULL, person_id bigint NOT NULL)',
    "sqlite": f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY AUTOINCREMENT, venue_id integer NOT NULL, "
    f'start text NOT NULL, "end" text NOT NULL, person_id integer NOT NULL)',
}


@csrf_exempt
def naive_book(request: HttpRequest) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    user = (
        token_authenticate(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    )
    if user is None:
        return JsonResponse({"code": "unauthorized"}, status=401)
    body = json.loads(request.body)
    with connection.cursor() as c:
        c.execute(
            f'SELECT count(*) FROM {TABLE} WHERE venue_id = %s AND start < %s AND "end" > %s',
            [body["venue"], body["end"], body["start"]],
        )
        if c.fetchone()[0]:
            return JsonResponse({"code": "slot_taken"}, status=409)
        c.execute(
            f'INSERT INTO {TABLE} (venue_id, start, "end", person_id) VALUES (%s, %s, %s, %s)',
            [body["venue"], body["start"], body["end"], user.pk],
        )
    return JsonResponse({"code": "booked"}, status=201)
