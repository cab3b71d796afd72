"""Do the counting tests catch a wrong Equal Shares? Plant one bug at a time in shequ/microprojects/engine.py, run
its tests, put the file back (always), and say which bugs the tests killed.

    .venv/bin/python bench/microprojects/mutants.py

A mutant that survives is either a gap in the tests or changes nothing the tests can see (speed only): each one
listed as "equivalent" below was read and is of that kind. The file is restored even if the run is interrupted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "shequ" / "microprojects" / "engine.py"
TESTS = "shequ/microprojects/tests/test_engine.py"

# (name, original text, planted text, equivalent: changes only how fast the same result is reached)
MUTANTS = [
    ("stop at an equal bound", "bound[p] > best[0]:", "bound[p] >= best[0]:", False),
    ("a payer goes below zero", "h[2] -= min(h[2], rho)", "h[2] -= rho", False),
    ("the poorest pay strictly less", "        if rho <= b:\n", "        if rho < b:\n", False),
    (
        "the tie favours fewer votes",
        "key = (rho, -votes[p], costs[p], p)",
        "key = (rho, votes[p], costs[p], p)",
        False,
    ),
    (
        "the tie favours the dearer",
        "key = (rho, -votes[p], costs[p], p)",
        "key = (rho, -votes[p], -costs[p], p)",
        False,
    ),
    ("exactly enough is not enough", "    if total < cost:", "    if total <= cost:", False),
    ("no completion", "    if completion:", "    if False:", False),
    ("one share too many", "share = Fraction(budget, n)", "share = Fraction(budget, n + 1)", False),
    ("the bound is never raised", "            bound[p] = rho\n", "", True),
    (
        "candidates in another order",
        "key=lambda q: (bound[q], -votes[q], costs[q], q)",
        "key=lambda q: (bound[q], costs[q], q)",
        True,
    ),
]


def main() -> int:
    original = ENGINE.read_text(encoding="utf-8")
    missed = []
    try:
        for name, before, after, equivalent in MUTANTS:
            if before not in original:
                print(f"{name}: the text to change is gone from engine.py; update this list")
                return 2
            ENGINE.write_text(original.replace(before, after, 1), encoding="utf-8")
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", "-x", TESTS],
                capture_output=True,
                text=True,
                check=False,
            )
            killed = run.returncode != 0
            verdict = "killed" if killed else ("survived (equivalent)" if equivalent else "SURVIVED")
            print(f"{name:34s} {verdict}")
            if not killed and not equivalent:
                missed.append(name)
    finally:
        ENGINE.write_text(original, encoding="utf-8")
    print(f"{len(missed)} bug(s) the tests do not catch" + (f": {', '.join(missed)}" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
