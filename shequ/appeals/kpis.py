"""KPI rollups, maintained as events happen (placeholder hook; the rollup tables follow)."""

from __future__ import annotations

from datetime import datetime


def record(appeal, action: str, *, at: datetime, data: dict) -> None:
    """Called inside the transaction of every appeal action."""
    return None
