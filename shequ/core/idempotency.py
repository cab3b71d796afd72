"""Idempotency-Key on every POST that creates something (DESIGN.md §7): a retry returns the first result."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext

from .errors import ShequError
from .models import IdempotencyKey

MAX_KEY = 200
WAIT_SECONDS = 10.0


def _scope(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anon:" + (request.META.get("REMOTE_ADDR") or "unknown")


def _fingerprint(request: HttpRequest) -> str:
    h = hashlib.sha256()
    h.update(request.method.encode() if request.method else b"")
    h.update(request.path.encode())
    h.update(request.body if request.content_type != "multipart/form-data" else b"")
    return h.hexdigest()


def run_once(request: HttpRequest, work: Callable[[], tuple[int, dict]]) -> tuple[int, dict, bool]:
    """Run `work` (returning status, body) once per Idempotency-Key; answer (status, body, replayed)."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        status, body = work()
        return status, body, False
    if len(key) > MAX_KEY:
        raise ShequError(
            gettext("The Idempotency-Key is too long (at most 200 characters)."),
            fields={"Idempotency-Key": "too long"},
        )
    scope, fingerprint = _scope(request), _fingerprint(request)
    try:
        with transaction.atomic():
            claim = IdempotencyKey.objects.create(scope=scope, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return _replay(scope, key, fingerprint)
    try:
        status, body = work()
    except Exception:
        IdempotencyKey.objects.filter(
            pk=claim.pk
        ).delete()  # a failure is not remembered: the retry may succeed
        raise
    if status >= 500:
        IdempotencyKey.objects.filter(pk=claim.pk).delete()
    else:
        IdempotencyKey.objects.filter(pk=claim.pk).update(status_code=status, response=body)
    return status, body, False


def once_response(request: HttpRequest, work: Callable[[], tuple[int, dict]]) -> JsonResponse:
    """`run_once` answered as JSON, marked `Idempotent-Replayed: true` when it is the first request's answer."""
    status, body, replayed = run_once(request, work)
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _replay(scope: str, key: str, fingerprint: str) -> tuple[int, dict, bool]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if row is None:
            raise ShequError(
                gettext("The first request with this Idempotency-Key failed; retry with a new key."),
                code="idempotency_retry",
                status=409,
            )
        if row.fingerprint != fingerprint:
            raise ShequError(
                gettext("This Idempotency-Key was used for a different request."),
                code="idempotency_mismatch",
                status=422,
                fields={"Idempotency-Key": "reused"},
            )
        if row.status_code is not None:
            return row.status_code, row.response or {}, True
        if time.monotonic() > deadline:
            raise ShequError(
                gettext("The first request with this Idempotency-Key is still running."),
                code="idempotency_in_progress",
                status=409,
            )
        time.sleep(0.05)


def purge_idempotency_keys(*, older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
