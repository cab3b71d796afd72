"""Safety words that raise an appeal to emergency at intake (issue 5 refines this with measured precision)."""

from __future__ import annotations

import re

# Phrases of danger to life or property; the matched phrase is shown with the appeal.
PATTERNS = [
    r"燃气泄漏|煤气泄漏|闻到煤气|闻到燃气|漏气",
    r"起火|着火|火灾|冒烟|烟雾很大",
    r"坍塌|倒塌|塌方|墙体开裂.{0,6}(掉落|倒)",
    r"触电|漏电|电线.{0,4}(掉落|断)",
    r"被困|困在电梯|电梯.{0,4}(困|关)人",
    r"轻生|自杀|跳楼|割腕",
    r"家暴|打人|持刀|斗殴",
    r"(老人|儿童|小孩|孩子).{0,6}(走失|昏迷|晕倒|无人照看)",
    r"溺水|落水",
]
_COMPILED = [re.compile(p) for p in PATTERNS]


def detect_urgency(text: str) -> str | None:
    """The first safety phrase in the text, or None."""
    for pattern in _COMPILED:
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None
