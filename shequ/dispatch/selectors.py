"""Reads: the active model of a kind, loaded once per process and checked against its recorded sha256.

The cache is keyed by (version, sha256): activating another version, or retraining on another worker, is picked
up on the next request with one cheap query; a file whose bytes do not hash to the recorded value is refused
(someone changed it in storage) and no suggestion is made from it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet

from shequ.access.scoping import scope_for
from shequ.accounts.roles import Action
from shequ.appeals.models import Appeal
from shequ.core.errors import NotFound

from .classifier import TextClassifier
from .models import ModelKind, ModelVersion

log = logging.getLogger(__name__)


class TamperedModel(Exception):
    """The stored file does not match the sha256 recorded when it was trained."""


@dataclass(frozen=True)
class LoadedModel:
    row: ModelVersion
    classifier: TextClassifier
    load_seconds: float


_CACHE: dict[str, LoadedModel] = {}
_LOCK = threading.Lock()


def sha256_of(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def load_version(row: ModelVersion) -> LoadedModel:
    """Read, verify and unpickle one version's file (no cache)."""
    started = time.perf_counter()
    with default_storage.open(row.file.name, "rb") as fh:
        blob = fh.read()
    digest = sha256_of(blob)
    if digest != row.sha256:
        log.error(
            "dispatch model %s v%s refused: file hash %s != recorded %s",
            row.kind,
            row.version,
            digest,
            row.sha256,
        )
        raise TamperedModel(f"{row.kind} model v{row.version}: the file does not match its recorded sha256")
    classifier = TextClassifier.loads(blob)
    return LoadedModel(row=row, classifier=classifier, load_seconds=time.perf_counter() - started)


def active_model(kind: str) -> LoadedModel | None:
    """The active model of this kind, or None if there is none or its file was refused."""
    row = ModelVersion.objects.filter(kind=kind, active=True).first()
    if row is None:
        return None
    cached = _CACHE.get(kind)
    if cached is not None and (cached.row.version, cached.row.sha256) == (row.version, row.sha256):
        return cached
    with _LOCK:
        cached = _CACHE.get(kind)
        if cached is not None and (cached.row.version, cached.row.sha256) == (row.version, row.sha256):
            return cached
        try:
            loaded = load_version(row)
        except TamperedModel:
            _CACHE.pop(kind, None)
            return None
        except (OSError, ValueError) as exc:
            log.error(
                "dispatch model %s v%s could not be loaded: %s", row.kind, row.version, type(exc).__name__
            )
            _CACHE.pop(kind, None)
            return None
        _CACHE[kind] = loaded
        log.info("dispatch model %s v%s loaded in %.3f s", row.kind, row.version, loaded.load_seconds)
        return loaded


def forget_models() -> None:
    """Drop the per-process cache (tests; an operator's shell after replacing files)."""
    with _LOCK:
        _CACHE.clear()


def appeal_for_dispatch(*, user, pk: int) -> Appeal:
    """An appeal in the user's dispatch areas; anything else (out of scope or missing) is the same 404."""
    condition = Q(pk__in=[])
    for path in scope_for(user, Action.APPEALS_DISPATCH).paths:
        condition |= Q(area__path__prefix=path)
    appeal = Appeal.objects.filter(condition, pk=pk).select_related("area", "category").first()
    if appeal is None:
        raise NotFound("No appeal with this id.")
    return appeal


def model_list() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.select_related("created_by").order_by("kind", "-version")


def kinds() -> list[str]:
    return list(ModelKind.values)
