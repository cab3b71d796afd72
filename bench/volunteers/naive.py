"""The naive baseline: count the shift's sign-ups, then insert one if the count is below the capacity, with nothing
in the database to stop a second request from doing the same between the two statements.

It writes to its own plain table (`bench_naive_signup`, no constraint), made by run.py. Same authentication (the
residents' bearer tokens), the same shift rows (their capacity), 201 or 409 like the platform's
POST /api/v1/volunteer-activities/{id}/shifts/{shift_id}/signups. Autocommit, as a view without a transaction runs.
No audit row and no message: the floor of "a sign-up" in this framework, minus the guarantee.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from shequ.accounts.tokens import token_authenticate

TABLE = "bench_naive_signup"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, shift_id bigint NOT NULL, "
    "volunteer_id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
)


@csrf_exempt
def naive_signup(request: HttpRequest, shift_id: int) -> JsonResponse:
    header = request.headers.get("Authorization", "")
    user = (
        token_authenticate(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
    )
    if user is None:
        return JsonResponse({"code": "unauthorized"}, status=401)
    with connection.cursor() as c:
        c.execute("SELECT id FROM volunteers_volunteer WHERE user_id = %s", [user.pk])
        row = c.fetchone()
        if row is None:
            return JsonResponse({"code": "not_registered"}, status=403)
        volunteer_id = row[0]
        c.execute("SELECT capacity FROM volunteers_shift WHERE id = %s", [shift_id])
        capacity = c.fetchone()[0]
        c.execute(f"SELECT count(*) FROM {TABLE} WHERE shift_id = %s", [shift_id])
        if c.fetchone()[0] >= capacity:
            return JsonResponse({"code": "shift_full"}, status=409)
        c.execute(f"INSERT INTO {TABLE} (shift_id, volunteer_id) VALUES (%s, %s)", [shift_id, volunteer_id])
    return JsonResponse({"code": "confirmed"}, status=201)
