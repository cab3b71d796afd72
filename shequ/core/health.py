"""Liveness and readiness probes: /healthz (process alive) and /readyz (database and broker reachable)."""

from __future__ import annotations

import time

from celery import current_app
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return {"ok": False, "error": type(exc).__name__}
    return {
        "ok": True,
        "vendor": connections["default"].vendor,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


def check_broker() -> dict:
    if not settings.CELERY_BROKER_URL:
        # Embedded default: tasks run in-process, there is no broker to reach.
        return {"ok": True, "mode": "eager"}
    started = time.perf_counter()
    timeout = settings.SHEQU_READYZ_BROKER_TIMEOUT
    try:
        with current_app.connection_for_write(
            url=settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            transport_options={
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "max_retries": 0,
            },
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            transport = conn.transport_cls
    except Exception as exc:  # kombu raises OperationalError and friends
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "transport": str(transport), "ms": round((time.perf_counter() - started) * 1000, 1)}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database(), "broker": check_broker()}
    ready = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
