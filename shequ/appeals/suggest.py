"""Category suggestions while a resident types: the dispatch model when one is active, else category keywords."""

from __future__ import annotations

import logging
from collections.abc import Callable

from .models import Category

log = logging.getLogger(__name__)


def keyword_suggestions(text: str, *, k: int = 3) -> list[dict]:
    scores: list[tuple[int, Category]] = []
    for cat in Category.objects.filter(is_active=True, parent__isnull=False).select_related("parent"):
        words = [w for w in cat.keywords.split(",") if w]
        hits = sum(1 for w in words if w in text)
        if hits:
            scores.append((hits, cat))
    scores.sort(key=lambda s: (-s[0], s[1].sort))
    return [
        {"code": c.code, "name": c.name, "group": c.parent.name if c.parent else "", "source": "keywords"}
        for _, c in scores[:k]
    ]


# A model-based suggester registered by an app built on appeals (dispatch, in its AppConfig.ready()): appeals
# does not import it (DESIGN.md §2). Called with the text; returns the dispatch suggestion's payload.
_model_suggester: Callable[[str], dict] | None = None


def register_model_suggester(fn: Callable[[str], dict]) -> None:
    global _model_suggester
    _model_suggester = fn


def suggest_categories(text: str, *, k: int = 3) -> list[dict]:
    text = (text or "").strip()
    if len(text) < 4:
        return []
    if _model_suggester is not None:
        try:
            result = _model_suggester(text)
            found = [
                {
                    "code": c["code"],
                    "name": c["name"],
                    "group": "",
                    "source": "model",
                    "probability": c.get("probability"),
                }
                for c in result.get("category", [])[:k]
            ]
            if found:
                return found
        except Exception as exc:  # a model file refused or a failure: the keywords still answer
            log.debug("no model suggestion: %s", type(exc).__name__)
    return keyword_suggestions(text, k=k)
