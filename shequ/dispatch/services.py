"""Smart dispatch, written once (STYLE.md §1): suggest, auto-dispatch, collect training data, train.

    suggest(text, lat, lng, area)      top-3 categories and units with probabilities and driving words
    auto_dispatch(appeal)              dispatch on the suggestion when it is confident and the 职责清单 agrees
    after_intake(appeal_id)            after each intake commits: auto_dispatch (when due), then duplicates_find
    example_from_appeal / record_correction / capture_dispatch_event      dispatcher decisions → training data
    examples_import(...)               labelled .jsonl/.csv/.xlsx → training data
    model_train(...) / model_activate(...) / models_retrain()             new versions, kept only if not worse
    duplicates_find(appeal_id) / duplicate_merge(...) / duplicate_dismiss(...)   并单 suggestions and decisions

Appeals are changed only through `shequ.appeals.services` (dispatch as the system, actor=None).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from shequ.access.scoping import can_at
from shequ.accounts.models import Unit, User
from shequ.accounts.roles import Action
from shequ.appeals.choices import OPEN_STATUSES, Status
from shequ.appeals.models import Appeal, Category, Event, ResponsibilityRule
from shequ.audit.services import audit_record
from shequ.core.db import insert_rows
from shequ.core.errors import ShequError
from shequ.core.masking import redact
from shequ.geo.models import Area

from . import duplicates
from .classifier import Config, TextClassifier
from .datasets import read_labelled
from .evaluation import cross_validate
from .models import (
    DuplicateCandidate,
    DuplicateStatus,
    ExampleSource,
    IntakeQueue,
    ModelKind,
    ModelVersion,
    Suggestion,
    TrainingExample,
)
from .selectors import active_model, sha256_of

log = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.85
DEFAULT_MIN_EXAMPLES = 100
MIN_PER_LABEL = 5  # a label with fewer examples is left out of training (and said so)
MAX_TEXT = 4000
# Timeline actions a dispatcher's decision is learned from. A "categorize" event (appeals.services.appeal_categorize)
# carries {"category": code, "before": old}: the new code is learned as the category label.
LEARN_FROM_ACTIONS = ("dispatch", "reassign", "categorize")
# Issue 23: a dispatcher's correction of urgency is a labelled example for appeals.urgency's learned layer, kept as
# a TrainingExample of this label kind (not a ModelKind: the dispatch models never train on it).
URGENCY_ACTIONS = ("raise_emergency", "lower_emergency")
URGENCY_LABEL_KIND = "urgency"
# The unit model has many more labels than the category model: fewer features keep its file small.
KIND_CONFIG = {
    ModelKind.CATEGORY: Config(),
    ModelKind.UNIT: Config(max_features=100_000, context_weight=0.6),
}


def auto_dispatch_threshold() -> float:
    return float(getattr(settings, "SHEQU_AUTO_DISPATCH_THRESHOLD", DEFAULT_THRESHOLD))


def training_text(text: str) -> str:
    """What is stored and learned from: phone and ID numbers masked (they predict nothing and are personal)."""
    return redact((text or "").strip())[:MAX_TEXT]


def _digest(kind: str, text: str) -> str:
    return hashlib.sha256(f"{kind}\x00{text}".encode()).hexdigest()


def unit_context(area_path: str, category: str | None) -> list[str]:
    """What the unit model reads beside the text: every area code of the path and the category."""
    tokens = [f"area:{code}" for code in (area_path or "").split("/") if code]
    if category:
        tokens.append(f"category:{category}")
    return tokens


# --- suggestions ------------------------------------------------------------------------------------------------
def _resolve_area(area: str | None, lat: float | None, lng: float | None) -> Area | None:
    if area:
        found = Area.objects.filter(code=area).first()
        if found is None:
            raise ShequError(f"Unknown area code {area!r}.", fields={"area": area})
        return found
    if lat is not None and lng is not None:
        from shequ.appeals import location

        resolved, precision = location.resolve(area=None, lat=lat, lng=lng)
        return resolved if precision != "city" else None
    return None


def _rule_for(category_code: str, area: Area) -> ResponsibilityRule | None:
    from shequ.appeals.services import match_rule

    category = Category.objects.select_related("parent").filter(code=category_code, is_active=True).first()
    if category is None:
        return None
    # match_rule reads only the category and the area: an unsaved appeal asks the list the same question.
    rule = match_rule(Appeal(category=category, area=area))
    return rule if rule is not None and rule.lead_unit.is_active else None


@dataclass
class _Suggested:
    payload: dict[str, Any]
    rule: ResponsibilityRule | None


def _suggest(text: str, *, area: Area | None) -> _Suggested:
    text = training_text(text)
    threshold = auto_dispatch_threshold()
    versions: dict[str, int | None] = {"category": None, "unit": None}
    categories: list[dict[str, Any]] = []
    top_probability = 0.0  # unrounded: the threshold is compared with what the model said
    category_model = active_model(ModelKind.CATEGORY)
    if category_model is not None and text:
        clf = category_model.classifier
        versions["category"] = category_model.row.version
        top = clf.predict_top([text], k=3)[0]
        top_probability = top[0][1]
        names = dict(Category.objects.filter(code__in=[c for c, _ in top]).values_list("code", "name"))
        categories = [
            {
                "code": code,
                "name": names.get(code, code),
                "probability": round(p, 4),
                "words": [w for w, _ in clf.explain(text, code, k=5)],
            }
            for code, p in top
        ]
    top_category = categories[0]["code"] if categories else None
    rule = _rule_for(top_category, area) if top_category and area is not None else None

    units: list[dict[str, Any]] = []
    unit_model = active_model(ModelKind.UNIT)
    if unit_model is not None and text:
        clf = unit_model.classifier
        versions["unit"] = unit_model.row.version
        context = unit_context(area.path if area else "", top_category)
        top = clf.predict_top([text], k=5, contexts=[context])[0]
        active = dict(
            Unit.objects.filter(code__in=[c for c, _ in top], is_active=True).values_list("code", "name")
        )
        units = [
            {
                "code": code,
                "name": active[code],
                "probability": round(p, 4),
                "words": [w for w, _ in clf.explain(text, code, k=5, context=context)],
                "source": "model",
            }
            for code, p in top
            if code in active
        ][:3]
    elif rule is not None:
        units = [
            {
                "code": rule.lead_unit.code,
                "name": rule.lead_unit.name,
                "probability": None,
                "words": [],
                "source": "rules",
            }
        ]
    confident = bool(categories) and top_probability >= threshold
    agrees = rule is not None and bool(units) and units[0]["code"] == rule.lead_unit.code
    return _Suggested(
        payload={
            "category": categories,
            "unit": units,
            "model_version": versions,
            "threshold": threshold,
            "area": area.code if area is not None else None,
            "rule_unit": rule.lead_unit.code if rule is not None else None,
            "auto_dispatch": confident and agrees,
        },
        rule=rule,
    )


def suggest(
    text: str, lat: float | None = None, lng: float | None = None, area: str | None = None
) -> dict[str, Any]:
    """The top-3 categories and lead units for a text (and place), with probabilities and the words that drove
    them, and whether the appeal would be dispatched automatically.

    A unit comes from the unit model when one is trained; otherwise from the responsibility list for the top
    category and the area (`"source": "rules"`). `auto_dispatch` is true when the top category's probability
    reaches SHEQU_AUTO_DISPATCH_THRESHOLD and the responsibility list gives the same lead unit.
    """
    return _suggest(text, area=_resolve_area(area, lat, lng)).payload


# --- auto-dispatch at intake ------------------------------------------------------------------------------------
@dataclass
class AutoDispatchResult:
    appeal: Appeal
    dispatched: bool
    # dispatched | has_lead_unit | not_submitted | no_model | below_threshold (or the rules disagree)
    # | category_differs
    reason: str
    suggestion: dict[str, Any] = field(default_factory=dict)


def auto_dispatch(appeal: Appeal) -> AutoDispatchResult:
    """Dispatch an appeal that has no lead unit yet on its suggestion, as the system, when the suggestion is
    confident and the responsibility list agrees; otherwise leave it for the dispatcher with the suggestion.

    The suggestion is stored (Suggestion) either way: a dispatcher's different decision later is a correction.
    """
    from shequ.appeals.services import appeal_dispatch

    appeal = Appeal.objects.select_related("area", "category", "lead_unit").get(pk=appeal.pk)
    if appeal.lead_unit_id is not None:
        return AutoDispatchResult(appeal, False, "has_lead_unit")
    if appeal.status != Status.SUBMITTED:
        return AutoDispatchResult(appeal, False, "not_submitted")
    suggested = _suggest(appeal.text, area=appeal.area)
    payload = suggested.payload
    top = payload["category"][0] if payload["category"] else None
    record = Suggestion.objects.create(
        appeal=appeal,
        category=top["code"] if top else "",
        category_probability=top["probability"] if top else None,
        unit=payload["unit"][0]["code"] if payload["unit"] else "",
        unit_source=payload["unit"][0]["source"] if payload["unit"] else "",
        model_versions=payload["model_version"],
        payload=payload,
    )
    if top is None:
        return AutoDispatchResult(appeal, False, "no_model", payload)
    if not payload["auto_dispatch"] or suggested.rule is None:
        return AutoDispatchResult(appeal, False, "below_threshold", payload)
    rule = suggested.rule
    if appeal.category is not None and appeal.category.code != top["code"]:
        # Someone chose another category at intake: a person decides between the two.
        return AutoDispatchResult(appeal, False, "category_differs", payload)
    note = (
        f"智能分拨：{top['name']} {top['probability']:.0%}"
        f"（模型 v{payload['model_version']['category']}），与职责清单 {rule.version or rule.pk} 一致"
    )
    with transaction.atomic():  # the category and the dispatch together, or neither
        if appeal.category is None:
            from shequ.appeals.services import appeal_categorize

            # Without re-sending: the dispatch below is the one the suggestion and the list agreed on.
            appeal = appeal_categorize(actor=None, appeal=appeal, category=top["code"], note=note)
        appeal = appeal_dispatch(
            actor=None,
            appeal=appeal,
            unit=rule.lead_unit,
            co_units=list(rule.co_units.filter(is_active=True)),
            note=note,
        )
        Suggestion.objects.filter(pk=record.pk).update(auto_dispatched=True)
    return AutoDispatchResult(appeal, True, "dispatched", payload)


def after_intake(appeal_id: int) -> dict[str, Any]:
    """What smart dispatch does with a new appeal once its intake has committed (the `dispatch.after_intake` task):
    dispatch it on a confident suggestion the responsibility list agrees with, when no rule dispatched it at
    intake and a category model is active; then look for the open appeals it probably duplicates.

    Each step's failure is logged and reported, never raised: the appeal is in, and a dispatcher still sees it.
    """
    out: dict[str, Any] = {}
    appeal = Appeal.objects.select_related("area", "category").filter(pk=appeal_id).first()
    if appeal is None:
        return {"missing": True}
    if (
        getattr(settings, "SHEQU_AUTO_DISPATCH", True)
        and appeal.status == Status.SUBMITTED
        and appeal.lead_unit_id is None
        and active_model(ModelKind.CATEGORY) is not None
    ):
        try:
            out["auto_dispatch"] = auto_dispatch(appeal).reason
        except (ShequError, PermissionDenied) as exc:  # e.g. a dispatcher was faster: the state moved on
            log.warning("auto-dispatch of appeal %s not done: %s", appeal_id, exc)
            out["auto_dispatch"] = "failed"
    try:
        out["duplicates"] = len(duplicates_find(appeal_id))
    except Exception:
        log.exception("duplicate detection failed for appeal %s", appeal_id)
        out["duplicates"] = "failed"
    return out


AFTER_INTAKE_LEASE = timedelta(minutes=5)  # a drain that died holding rows gives them up after this


def after_intake_enqueue(appeal_id: int, at: datetime) -> None:
    """Queue the after-intake work of a new appeal, in the intake's transaction (signals.on_event_saved); in its
    batch of writes, no round trip of its own."""
    insert_rows([IntakeQueue(appeal_id=appeal_id, enqueued_at=at)])


def after_intake_drain(*, limit: int = 200) -> dict[str, int]:
    """Do the queued after-intake work (`after_intake`), oldest first, at most `limit` appeals.

    The rows are claimed first, in a short transaction of their own: `SKIP LOCKED` on PostgreSQL, so that two
    drains running together take different rows, and a lease (`AFTER_INTAKE_LEASE`), so that the rows of a drain
    that dies are taken again once it runs out. Each appeal is then handled in its own transactions, as the task of
    one appeal always was, and its row deleted once done: work that raises stays queued and is retried when its
    lease ends. Running it twice for one appeal changes nothing (`after_intake` is idempotent)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            IntakeQueue.objects.select_for_update(skip_locked=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("appeal_id")
            .values_list("appeal_id", flat=True)[:limit]
        )
        if claimed:
            IntakeQueue.objects.filter(appeal_id__in=claimed).update(claimed_until=now + AFTER_INTAKE_LEASE)
    done = failed = 0
    for appeal_id in claimed:
        try:
            after_intake(appeal_id)
        except Exception:  # e.g. the database went away mid-way: the row stays, its lease ends, it is retried
            log.exception("after-intake work failed for appeal %s; it stays queued", appeal_id)
            failed += 1
            continue
        IntakeQueue.objects.filter(appeal_id=appeal_id).delete()
        done += 1
    return {"claimed": len(claimed), "done": done, "failed": failed}


# --- training data from dispatchers -----------------------------------------------------------------------------
def _store_example(
    *, appeal: Appeal, kind: str, label: str, source: str, context: dict[str, Any]
) -> TrainingExample:
    text = training_text(appeal.text)
    example, _ = TrainingExample.objects.update_or_create(
        appeal=appeal,
        label_kind=kind,
        defaults={
            "text": text,
            "label": label,
            "source": source,
            "context": context,
            "digest": _digest(kind, text),
            "updated_at": timezone.now(),
        },
    )
    return example


def example_from_appeal(
    appeal: Appeal,
    source: str = ExampleSource.DISPATCHER,
    *,
    unit: str | None = None,
    kinds: Sequence[str] = (ModelKind.CATEGORY, ModelKind.UNIT),
) -> list[TrainingExample]:
    """The appeal's category and lead unit (or `unit`, a code) as confirmed labels: one example per kind,
    replacing the appeal's earlier example of that kind."""
    category = appeal.category.code if appeal.category_id and appeal.category else None
    unit_code = unit or (appeal.lead_unit.code if appeal.lead_unit_id and appeal.lead_unit else None)
    examples = []
    if category and ModelKind.CATEGORY in kinds:
        examples.append(
            _store_example(
                appeal=appeal,
                kind=ModelKind.CATEGORY,
                label=category,
                source=source,
                context={"area_path": appeal.area.path},
            )
        )
    if unit_code and ModelKind.UNIT in kinds:
        examples.append(
            _store_example(
                appeal=appeal,
                kind=ModelKind.UNIT,
                label=unit_code,
                source=source,
                context={"area_path": appeal.area.path, "category": category or ""},
            )
        )
    return examples


def record_correction(
    *, appeal: Appeal, kind: str, label: str, actor: User | None = None, suggested: str = ""
) -> TrainingExample:
    """A dispatcher decided otherwise than the suggestion (another category, another unit): learn the decision.

    Called by the dispatch-event capture below, and by whatever changes an appeal's category once the appeals
    app has a service for that."""
    if kind not in ModelKind.values:
        raise ValueError(f"unknown kind {kind!r}")
    category = appeal.category.code if appeal.category_id and appeal.category else ""
    context = {"area_path": appeal.area.path}
    if kind == ModelKind.UNIT:
        context["category"] = category
    example = _store_example(
        appeal=appeal, kind=kind, label=label, source=ExampleSource.CORRECTION, context=context
    )
    log.info(
        "dispatch correction on appeal %s: %s %s → %s by user %s",
        appeal.pk,
        kind,
        suggested or "-",
        label,
        actor.pk if actor else "system",
    )
    return example


def capture_dispatch_event(event_id: int) -> list[TrainingExample]:
    """Turn a dispatcher's dispatch, reassignment or change of category into training examples (run after the
    commit that wrote the event). A label that differs from the appeal's stored suggestion is a correction; one that agrees, or where
    nothing was suggested, is a dispatcher-confirmed example. The system's own dispatches (actor None) are never
    learned from: the model would be teaching itself."""
    event = (
        Event.objects.select_related("appeal__area", "appeal__category", "appeal__lead_unit", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.actor is None or event.action not in LEARN_FROM_ACTIONS:
        return []
    appeal = event.appeal
    if not can_at(event.actor, Action.APPEALS_DISPATCH, appeal.area.path):
        return []
    data = event.data or {}
    unit_code = None if event.action == "categorize" else (str(data.get("unit") or "") or None)
    category = str(data.get("category") or "") or (appeal.category.code if appeal.category else None)
    suggestion = Suggestion.objects.filter(appeal=appeal).first()  # the latest
    labels = {
        ModelKind.CATEGORY: (category, suggestion.category if suggestion else ""),
        ModelKind.UNIT: (unit_code, suggestion.unit if suggestion else ""),
    }
    examples: list[TrainingExample] = []
    for kind, (label, suggested) in labels.items():
        if not label:
            continue
        if suggested and suggested != label:
            examples.append(
                record_correction(
                    appeal=appeal, kind=kind, label=label, actor=event.actor, suggested=suggested
                )
            )
        else:
            examples.extend(
                example_from_appeal(appeal, ExampleSource.DISPATCHER, unit=unit_code, kinds=(kind,))
            )
    return examples


def capture_urgency_event(event_id: int) -> TrainingExample | None:
    """A dispatcher raised an appeal to emergency or lowered it: keep the text with that label (run after the
    commit that wrote the event). An appeal holds one such example, its latest correction."""
    event = Event.objects.select_related("appeal__area", "actor").filter(pk=event_id).first()
    if event is None or event.actor is None or event.action not in URGENCY_ACTIONS:
        return None
    appeal = event.appeal
    if not can_at(event.actor, Action.APPEALS_DISPATCH, appeal.area.path):
        return None
    urgent = event.action == "raise_emergency"
    kind = str((event.data or {}).get("kind") or "")
    example = _store_example(
        appeal=appeal,
        kind=URGENCY_LABEL_KIND,
        label="emergency" if urgent else "not_emergency",
        source=ExampleSource.CORRECTION,
        context={"kind": kind},
    )
    log.info("urgency correction on appeal %s: %s by user %s", appeal.pk, example.label, event.actor.pk)
    return example


def urgency_correction_rows() -> list[dict[str, Any]]:
    """Dispatchers' urgency corrections as rows for appeals.urgency's learned layer (registered in signals.connect;
    read when the layer is trained, at first use in a process)."""
    return [
        {
            "text": text,
            "urgent": label == "emergency",
            "kind": (context or {}).get("kind") or "",
            "core": f"c{pk}",
        }
        for pk, text, label, context in TrainingExample.objects.filter(label_kind=URGENCY_LABEL_KIND)
        .order_by("pk")
        .values_list("pk", "text", "label", "context")[:20000]
    ]


# --- imported labelled files ------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    skipped: int = 0
    labels: dict[str, int] = field(default_factory=dict)


def _label_lookup(kind: str) -> dict[str, str]:
    """Codes and names of the things a label may name → the code."""
    pairs: list[tuple[str, str]] = list(
        Category.objects.filter(is_active=True).values_list("code", "name")
        if kind == ModelKind.CATEGORY
        else Unit.objects.filter(is_active=True).values_list("code", "name")
    )
    lookup = {name: code for code, name in pairs}
    lookup.update({code: code for code, _ in pairs})  # a code wins over a name that happens to equal it
    return lookup


def examples_import(
    *,
    actor: User | None,
    path: str | Path,
    text_fields: Sequence[str] = ("text",),
    label_field: str = "label",
    kind: str = ModelKind.CATEGORY,
    area_field: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a labelled file as training examples, all rows or none: every label must name an active category
    (kind "category") or unit (kind "unit") by code or name; an optional area code column gives the context."""
    if kind not in ModelKind.values:
        raise ShequError(f"Unknown kind {kind!r}.", fields={"kind": kind})
    data = read_labelled(
        path,
        text_fields=text_fields,
        label_field=label_field,
        extra_fields=[area_field] if area_field else [],
    )
    lookup = _label_lookup(kind)
    unknown = Counter(lab for lab in data.labels if lab not in lookup)
    if unknown:
        listed = ", ".join(f"{lab} ({n})" for lab, n in unknown.most_common(10))
        raise ShequError(
            f"{len(unknown)} labels name no active {kind}: {listed}. Nothing was imported.",
            code="unknown_labels",
            fields={"labels": sorted(unknown)},
        )
    paths: dict[str, str] = {}
    if area_field:
        codes = {str(e.get(area_field) or "").strip() for e in data.extras} - {""}
        paths = dict(Area.objects.filter(code__in=codes).values_list("code", "path"))
    report = ImportReport(kind=kind, rows=len(data), skipped=data.skipped)
    examples: list[TrainingExample] = []
    seen: set[str] = set()
    for text, label, extra in zip(data.texts, data.labels, data.extras, strict=True):
        clean = training_text(text)
        digest = _digest(kind, clean)
        if digest in seen:
            report.duplicates += 1
            continue
        seen.add(digest)
        context: dict[str, Any] = {}
        if area_field:
            context["area_path"] = paths.get(str(extra.get(area_field) or "").strip(), "")
        examples.append(
            TrainingExample(
                text=clean,
                label_kind=kind,
                label=lookup[label],
                source=ExampleSource.IMPORT,
                context=context,
                digest=digest,
            )
        )
    existing = set(
        TrainingExample.objects.filter(label_kind=kind, digest__in=list(seen)).values_list(
            "digest", flat=True
        )
    )
    report.duplicates += sum(1 for e in examples if e.digest in existing)
    examples = [e for e in examples if e.digest not in existing]
    report.labels = dict(Counter(e.label for e in examples))
    if dry_run:
        return report
    with transaction.atomic():
        TrainingExample.objects.bulk_create(examples, batch_size=500)
        report.created = len(examples)
        audit_record(
            action="dispatch.examples_import",
            actor=actor,
            actor_username="" if actor else "system",
            object_type="dispatch.trainingexample",
            object_repr=Path(path).name[:100],
            changes={"kind": {"after": kind}, "created": {"after": report.created}},
        )
    return report


# --- training ---------------------------------------------------------------------------------------------------
@dataclass
class TrainReport:
    kind: str
    version: ModelVersion
    activated: bool
    reason: str
    previous: ModelVersion | None
    dropped_labels: dict[str, int]


def _training_set(kind: str) -> tuple[list[str], list[str], list[list[str]] | None, Counter, dict[str, int]]:
    # In a fixed order: the same examples give the same model, byte for byte, on any database.
    rows = list(
        TrainingExample.objects.filter(label_kind=kind)
        .order_by("pk")
        .values_list("text", "label", "context", "source")
    )
    counts = Counter(label for _, label, _, _ in rows)
    dropped = {lab: n for lab, n in counts.items() if n < MIN_PER_LABEL}
    rows = [r for r in rows if r[1] not in dropped]
    texts = [r[0] for r in rows]
    labels = [r[1] for r in rows]
    contexts = (
        [unit_context((r[2] or {}).get("area_path", ""), (r[2] or {}).get("category")) for r in rows]
        if kind == ModelKind.UNIT
        else None
    )
    return texts, labels, contexts, Counter(r[3] for r in rows), dropped


def model_train(
    *,
    actor: User | None,
    kind: str = ModelKind.CATEGORY,
    min_examples: int = DEFAULT_MIN_EXAMPLES,
    folds: int = 5,
    config: Config | None = None,
    force: bool = False,
) -> TrainReport:
    """Train a new version from the stored examples; cross-validate it; store it; make it active if its
    cross-validated macro-F1 is not worse than the active version's (or `force`)."""
    if kind not in ModelKind.values:
        raise ShequError(f"Unknown kind {kind!r}.", fields={"kind": kind})
    config = config or KIND_CONFIG[ModelKind(kind)]
    texts, labels, contexts, sources, dropped = _training_set(kind)
    classes = Counter(labels)
    if len(texts) < min_examples or len(classes) < 2:
        raise ShequError(
            f"Not enough {kind} examples to train: {len(texts)} in {len(classes)} labels "
            f"(at least {min_examples} in 2 labels, {MIN_PER_LABEL} per label).",
            code="not_enough_examples",
            status=409,
        )
    used_folds = max(2, min(folds, min(classes.values())))
    cv = cross_validate(texts, labels, folds=used_folds, config=config, contexts=contexts)
    model = TextClassifier(config).fit(texts, labels, contexts)
    blob = model.dumps()
    digest = sha256_of(blob)
    metrics = {
        "cv_macro_f1": cv["macro_f1"],
        "cv_accuracy": cv["accuracy"],
        "folds": used_folds,
        "fold_macro_f1": cv["fold_macro_f1"],
        "per_class": cv["per_class"],
        "auto_dispatch": cv["auto_dispatch"],
        "train_seconds": model.fit_info.get("seconds"),
        "features": model.fit_info.get("features"),
        "pipeline": model.describe(),
    }
    trained_on = {
        "source": "examples",
        "rows": len(texts),
        "classes": dict(sorted(classes.items())),
        "sources": dict(sources),
        "dropped_labels": dropped,
    }
    with transaction.atomic():
        current = ModelVersion.objects.select_for_update().filter(kind=kind, active=True).first()
        number = (ModelVersion.objects.filter(kind=kind).aggregate(n=Max("version"))["n"] or 0) + 1
        previous_f1 = float((current.metrics or {}).get("cv_macro_f1", 0.0)) if current else None
        better = previous_f1 is None or cv["macro_f1"] >= previous_f1
        activate = better or force
        if current is None:
            reason = f"first {kind} model: active (cross-validated macro-F1 {cv['macro_f1']:.4f})"
        elif better:
            reason = f"active: cross-validated macro-F1 {cv['macro_f1']:.4f} ≥ {previous_f1:.4f} of v{current.version}"
        elif force:
            reason = f"active by force although macro-F1 {cv['macro_f1']:.4f} < {previous_f1:.4f} of v{current.version}"
        else:
            reason = f"kept v{current.version} active: cross-validated macro-F1 {cv['macro_f1']:.4f} < {previous_f1:.4f}"
        row = ModelVersion(
            kind=kind,
            version=number,
            trained_on=trained_on,
            metrics=metrics,
            sha256=digest,
            size=len(blob),
            created_by=actor,
            active=False,
            note=reason[:300],
        )
        row.file.save(f"{kind}-v{number}-{digest[:12]}.joblib", ContentFile(blob), save=False)
        try:
            if activate and current is not None:
                current.active = False
                current.save(update_fields=["active"])
            row.active = activate
            row.save()
            audit_record(
                action="dispatch.model_train",
                actor=actor,
                actor_username="" if actor else "system",
                obj=row,
                object_repr=str(row),
                changes={
                    "version": {"after": number},
                    "cv_macro_f1": {"before": previous_f1, "after": cv["macro_f1"]},
                    "active": {"after": activate},
                },
            )
        except Exception:
            row.file.delete(save=False)  # the row rolled back: leave no orphan file behind
            raise
    return TrainReport(
        kind=kind, version=row, activated=activate, reason=reason, previous=current, dropped_labels=dropped
    )


def model_activate(*, actor: User | None, version: ModelVersion) -> ModelVersion:
    """Make one stored version the active one of its kind (going back to an earlier version)."""
    with transaction.atomic():
        rows = list(ModelVersion.objects.select_for_update().filter(kind=version.kind))
        target = next(r for r in rows if r.pk == version.pk)
        before = next((r for r in rows if r.active), None)
        if before is not None and before.pk != target.pk:
            before.active = False
            before.save(update_fields=["active"])
        target.active = True
        target.save(update_fields=["active"])
        audit_record(
            action="dispatch.model_activate",
            actor=actor,
            actor_username="" if actor else "system",
            obj=target,
            object_repr=str(target),
            changes={
                "active_version": {"before": before.version if before else None, "after": target.version}
            },
        )
    return target


def models_retrain(*, min_examples: int | None = None) -> dict[str, str]:
    """Retrain every kind that has enough examples (the weekly task); say what happened to each."""
    minimum = min_examples or int(getattr(settings, "SHEQU_DISPATCH_MIN_EXAMPLES", DEFAULT_MIN_EXAMPLES))
    outcome: dict[str, str] = {}
    for kind in ModelKind.values:
        try:
            report = model_train(actor=None, kind=kind, min_examples=minimum)
        except ShequError as exc:
            if exc.code != "not_enough_examples":
                raise
            outcome[kind] = f"skipped: {exc.message}"
            continue
        outcome[kind] = f"v{report.version.version}: {report.reason}"
    return outcome


# --- duplicates (并单 suggestions) -----------------------------------------------------------------------------------
def duplicates_find(appeal_id: int) -> list[DuplicateCandidate]:
    """Compare a newly submitted appeal with the open appeals near it and store the likely duplicates (at most
    duplicates.MAX_KEPT, score ≥ the threshold). Run after the intake commits; running it twice changes nothing
    but the scores of pairs nobody has decided yet."""
    appeal = (
        Appeal.objects.select_related("category", "category__parent", "area").filter(pk=appeal_id).first()
    )
    if appeal is None or appeal.status not in OPEN_STATUSES:
        return []
    new = duplicates.facts_of(appeal)
    window = duplicates.window_for(new.category, new.group)
    pool = duplicates.pool_for(appeal, new, window)
    scored = duplicates.score_candidates(new, [duplicates.facts_of(a) for a in pool], window=window)
    limit = duplicates.threshold()
    kept: list[DuplicateCandidate] = []
    with transaction.atomic():
        for s in [s for s in scored if s.score >= limit][: duplicates.MAX_KEPT]:
            row, created = DuplicateCandidate.objects.get_or_create(
                appeal=appeal,
                candidate_id=s.other.pk,
                defaults={
                    "score": s.score,
                    "text_score": s.text_score,
                    "distance_m": s.distance_m,
                    "hours_apart": s.hours_apart,
                },
            )
            if not created and row.status == DuplicateStatus.OPEN:
                row.score, row.text_score = s.score, s.text_score
                row.distance_m, row.hours_apart = s.distance_m, s.hours_apart
                row.save(update_fields=["score", "text_score", "distance_m", "hours_apart"])
            kept.append(row)
    if kept:
        log.info("appeal %s: %d possible duplicate(s), best %.2f", appeal.pk, len(kept), kept[0].score)
    return kept


def _decidable(candidate: DuplicateCandidate) -> DuplicateCandidate:
    """The row locked, still undecided; a second click (or a second dispatcher) gets a clear 409."""
    row = (
        DuplicateCandidate.objects.select_for_update()
        .select_related("appeal", "appeal__area", "candidate")
        .get(pk=candidate.pk)
    )
    if row.status != DuplicateStatus.OPEN:
        raise ShequError(
            f"This possible duplicate was already decided ({row.get_status_display()}).",
            code="invalid_state",
            status=409,
        )
    return row


def duplicate_merge(*, actor: User, candidate: DuplicateCandidate, note: str = "") -> DuplicateCandidate:
    """并单: merge the newer appeal into the older one through appeals' own merge (which checks that the actor may
    merge here and that both are still open), and mark the pair merged, in one transaction."""
    from shequ.appeals.services import actor_relations, appeal_merge
    from shequ.appeals.workflow import allowed

    appeal = candidate.appeal
    if not allowed("merge", appeal.status, actor_relations(actor, appeal)):
        # appeals refuses and audits the refusal in its own transaction, which must outlive this one.
        appeal_merge(actor=actor, appeal=appeal, into=candidate.candidate, note=note)
    with transaction.atomic():
        row = _decidable(candidate)
        row.appeal = appeal_merge(
            actor=actor,
            appeal=row.appeal,
            into=row.candidate,
            note=note or f"并单：与 {row.candidate.number} 疑似重复（相似度 {row.score:.2f}）",
        )
        row.status, row.decided_by, row.decided_at = DuplicateStatus.MERGED, actor, timezone.now()
        row.save(update_fields=["status", "decided_by", "decided_at"])
        _audit_duplicate(actor, row)
    return row


def duplicate_dismiss(*, actor: User, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """Not a duplicate: the pair is no longer offered. Only someone who may merge the appeal may say so."""
    appeal = candidate.appeal
    if not can_at(actor, Action.APPEALS_DISPATCH, appeal.area.path):
        raise PermissionDenied(gettext("Only dispatchers may decide on possible duplicates."))
    with transaction.atomic():
        row = _decidable(candidate)
        row.status, row.decided_by, row.decided_at = DuplicateStatus.DISMISSED, actor, timezone.now()
        row.save(update_fields=["status", "decided_by", "decided_at"])
        _audit_duplicate(actor, row)
    return row


def _audit_duplicate(actor: User, row: DuplicateCandidate) -> None:
    audit_record(
        action=f"dispatch.duplicate_{'merge' if row.status == DuplicateStatus.MERGED else 'dismiss'}",
        actor=actor,
        obj=row,
        object_repr=f"{row.appeal.number} ~ {row.candidate.number}",
        changes={
            "status": {"before": DuplicateStatus.OPEN, "after": row.status},
            "score": {"after": row.score},
        },
    )
