"""Indicator formulas: arithmetic over registered figures, written as `{volunteers.registered} * 10000 /
{geo.population}`. Parsed with `ast` and evaluated over + - * / and numbers only (no names, calls or attributes)."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

FIGURE = re.compile(r"\{([a-z][a-z0-9_]*\.[a-z0-9_]+)\}")


class FormulaError(ValueError):
    pass


def figure_keys(formula: str) -> list[str]:
    """The figures a formula reads, in order of first use."""
    return list(dict.fromkeys(FIGURE.findall(formula)))


def _tree(formula: str) -> ast.Expression:
    keys = figure_keys(formula)
    text = FIGURE.sub(lambda m: f"f{keys.index(m.group(1))}", formula)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a formula: {formula!r}") from exc
    for node in ast.walk(tree):
        if not isinstance(
            node,
            ast.Expression
            | ast.BinOp
            | ast.UnaryOp
            | ast.Constant
            | ast.Name
            | ast.Load
            | ast.operator
            | ast.unaryop,
        ):
            raise FormulaError(f"only + - * / over figures and numbers: {formula!r}")
        if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            raise FormulaError(f"only + - * / over figures and numbers: {formula!r}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise FormulaError(f"only numbers as constants: {formula!r}")
    return tree


def check(formula: str) -> None:
    _tree(formula)


def evaluate(formula: str, values: Mapping[str, float | int | None]) -> float | None:
    """The formula's value, or None when a figure it reads has no value or a denominator is zero (no data: a
    share of communities in an area without communities means nothing)."""
    keys = figure_keys(formula)
    if any(values.get(k) is None for k in keys):
        return None
    names = {f"f{i}": float(values[k]) for i, k in enumerate(keys)}  # type: ignore[arg-type]

    def run(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return run(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)  # type: ignore[arg-type]  # _tree admits int and float only
        if isinstance(node, ast.Name):
            return names[node.id]
        if isinstance(node, ast.UnaryOp):
            v = run(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        assert isinstance(node, ast.BinOp)
        a, b = run(node.left), run(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ZeroDivisionError
        return a / b

    try:
        return run(_tree(formula))
    except ZeroDivisionError:
        return None
