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

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from shequ.access.scoping import can, can_at, scope_for
from shequ.accounts.roles import Action
from shequ.appeals.choices import OPEN_STATUSES
from shequ.appeals.models import Appeal
from shequ.core.errors import NotFound
from shequ.core.masking import redact

from .classifier import TextClassifier
from .models import DuplicateCandidate, DuplicateStatus, ModelKind, ModelVersion

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
        raise NotFound(gettext("No appeal with this id."))
    return appeal


def model_list() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.select_related("created_by").order_by("kind", "-version")


def kinds() -> list[str]:
    return list(ModelKind.values)


# --- possible duplicates (并单) --------------------------------------------------------------------------------------
# Every read of pairs goes by an index on each side (`appeal_id`: the unique pair constraint's index; `candidate_id`:
# dispatch_duplicate_candidate), then checks the visibility of the handful of other appeals by their ids. Written as
# one query, `candidate IN (visible appeals) OR appeal IN (visible appeals)` made PostgreSQL hash every appeal the
# user sees, twice, on each read (363 ms at 100,000 appeals; issue 22).
def _visible_among(user, ids: set[int]) -> set[int]:
    """Of these appeal ids, those the user sees: one read by primary key, whatever the size of the history."""
    from shequ.appeals.selectors import visible_appeals

    if not ids:
        return set()
    return set(visible_appeals(user).filter(pk__in=ids).values_list("pk", flat=True))


def _pairs_seen(user, pairs: QuerySet[DuplicateCandidate]) -> list[int]:
    """The ids of those pairs whose two appeals the user both sees."""
    rows = list(pairs.order_by().values_list("pk", "appeal_id", "candidate_id"))
    seen = _visible_among(user, {a for _, a, _ in rows} | {c for _, _, c in rows})
    return [pk for pk, a, c in rows if a in seen and c in seen]


def duplicate_list_for(*, user, appeal_id: int) -> tuple[Appeal, list[DuplicateCandidate]]:
    """The possible duplicates of an appeal the user sees (as the newer or the older of a pair), restricted to
    pairs whose other appeal he sees too; 404 for an appeal he does not see. Staff only: a resident sees his own
    appeal but never other people's."""
    from shequ.appeals.selectors import appeal_get_for

    if not can(user, Action.APPEALS_VIEW):
        raise PermissionDenied(gettext("Only staff may see possible duplicates."))
    appeal = appeal_get_for(user=user, pk=appeal_id)
    kept = _pairs_seen(user, DuplicateCandidate.objects.filter(Q(appeal=appeal) | Q(candidate=appeal)))
    if not kept:
        return appeal, []
    rows = (
        DuplicateCandidate.objects.filter(pk__in=kept)
        .select_related(
            "appeal", "appeal__category", "candidate", "candidate__category", "decided_by", "appeal__area"
        )
        .order_by("-score", "-id")[:50]
    )
    return appeal, list(rows)


def duplicate_get_for(*, user, pk: int) -> DuplicateCandidate:
    """One pair, when the user sees both of its appeals; otherwise the same 404 as for a missing one."""
    row = (
        DuplicateCandidate.objects.filter(pk=pk).select_related("appeal", "appeal__area", "candidate").first()
    )
    if row is None or _visible_among(user, {row.appeal_id, row.candidate_id}) != {
        row.appeal_id,
        row.candidate_id,
    }:
        raise NotFound(gettext("No possible duplicate with this id."))
    return row


def duplicate_actionable(row: DuplicateCandidate) -> bool:
    """Undecided, and both appeals still open (a pair whose appeal was merged or closed meanwhile is moot)."""
    return (
        row.status == DuplicateStatus.OPEN
        and row.appeal.status in OPEN_STATUSES
        and row.candidate.status in OPEN_STATUSES
    )


def duplicate_may_decide(user, row: DuplicateCandidate) -> bool:
    """Deciding is merging's right: the dispatcher of the newer appeal's area (appeals' workflow table)."""
    return can_at(user, Action.APPEALS_DISPATCH, row.appeal.area.path)


def duplicate_panel_for(*, user, appeal: Appeal) -> dict:
    """What the console's appeal page shows: the undecided possible duplicates of this appeal, best first, and
    whether the user may merge or dismiss them."""
    if not can(user, Action.APPEALS_VIEW):
        return {"rows": [], "may_decide": False}
    _, rows = duplicate_list_for(user=user, appeal_id=appeal.pk)
    shown = []
    for row in rows:
        if not duplicate_actionable(row):
            continue
        newer = row.appeal_id == appeal.pk
        shown.append(
            {
                "row": row,
                "other": row.candidate if newer else row.appeal,
                "text": redact((row.candidate if newer else row.appeal).text),
                "newer": newer,  # True: this appeal would be merged into the other one
                "may_decide": duplicate_may_decide(user, row),
            }
        )
    return {"rows": shown, "may_decide": any(r["may_decide"] for r in shown)}


def open_duplicate_ids(*, user, ids: list[int]) -> set[int]:
    """Of these appeal ids, those with an undecided possible duplicate (as the newer or the older of a pair) whose
    other appeal the user sees too: the flag on the console's queues (two queries for a page of rows, each by
    index: the pairs of these ids, then the visibility of the appeals they name)."""
    if not ids:
        return set()
    pairs = DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).filter(
        Q(appeal_id__in=ids, candidate__status__in=OPEN_STATUSES)
        | Q(candidate_id__in=ids, appeal__status__in=OPEN_STATUSES)
    )
    rows = list(pairs.order_by().values_list("appeal_id", "candidate_id"))
    seen = _visible_among(user, {a for a, _ in rows} | {c for _, c in rows})
    found: set[int] = set()
    for a, c in rows:
        if a in seen and c in seen:
            found |= {a, c}
    return found & set(ids)
