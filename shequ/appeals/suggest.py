"""Category suggestions while a resident types: the dispatch model when one is active, else category keywords."""

from __future__ import annotations

import logging

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


def suggest_categories(text: str, *, k: int = 3) -> list[dict]:
    text = (text or "").strip()
    if len(text) < 4:
        return []
    try:
        from shequ.dispatch.services import suggest  # type: ignore[import-not-found]

        result = suggest(text)
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
    except (
        Exception
    ) as exc:  # no model trained yet, or the dispatch app is not installed: fall back to keywords
        log.debug("no model suggestion: %s", type(exc).__name__)
    return keyword_suggestions(text, k=k)
