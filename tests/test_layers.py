"""The import graph follows DESIGN.md §2: each app imports only apps below it, domain apps never each other (except
the apps built on appeals, written down below), and no two apps import each other, directly or round about.

Imports inside `if TYPE_CHECKING:` count too (a type names the app it comes from), and so does an import inside a
function."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "shequ"

# Bottom to top. An app may import the apps of the layers below its own.
LAYERS: list[set[str]] = [
    {"core"},  # errors, calendar, masking, crypto, the database layer, the API's building blocks
    {"geo"},
    {"audit"},
    {"accounts"},
    {"access"},  # scoping, grants, API authentication
    {"messages"},  # the message centre: below every module that tells people something
    {"residents"},
    # The plan's indicators read only figures that the modules above register (shequ/indicators/registry.py), so
    # the registry sits below them and each module can declare its figures from its AppConfig.ready().
    {"indicators"},
    {"appeals", "facilities", "notices", "registries"},  # domain apps: never each other
    {"dispatch", "earlywarning", "open311"},  # built on appeals (below): never each other
    # Volunteers build on facilities (a station is a facility); the time bank builds on volunteers (earning from
    # confirmed hours, matching helpers): volunteers never imports it, it registers a hook (volunteers.hooks).
    {"volunteers", "venues"},  # venues build on facilities (a venue is a space of one); never each other
    {"timebank"},
    {"owners"},  # owners' decisions (Civil Code Art. 278): the unit register, votes, ballots
    {"surveys"},  # questionnaires; the satisfaction figures read appeals' ratings through its selectors
    {"credit"},  # the yearly credit lists read evaluations (surveys) and appeals through their selectors
    # Care builds on residents (special groups as tags) and hears of appeals through their intake hook; it counts a
    # person's appeals through appeals' selector. Nothing below imports it.
    {"care"},
    # Participation's lists link venues, volunteer teams and appeals' top problems; emergency reaches residents and
    # checks its teams against volunteers' teams. Neither imports the other.
    {"participation", "emergency"},
    {"microprojects"},  # a proposal may come from a participation need
    {"dashboards", "web"},  # pages that compose the apps below
    {"api", "demo"},  # the NinjaAPI instance and the demo seeder: imported by nothing
]
# Within one layer nothing imports anything, except these (with why).
SAME_LAYER: dict[tuple[str, str], str] = {}
IMPORTED_BY_NOTHING = {"api", "demo"}


def _layer_of(app: str) -> int:
    for i, layer in enumerate(LAYERS):
        if app in layer:
            return i
    raise AssertionError(
        f"shequ/{app} is not in tests/test_layers.py LAYERS: add it to the layer DESIGN.md §2 gives it"
    )


def imports_between_apps() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        app = rel.parts[0]
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if node.__class__ not in (ast.Import, ast.ImportFrom):
                continue
            if isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "shequ" and len(parts) > 1 and parts[1] != app:
                    found.setdefault((app, parts[1]), []).append(f"shequ/{rel}:{node.lineno}")
    return found


def test_every_app_imports_only_the_layers_below_it():
    wrong = []
    for (app, target), where in sorted(imports_between_apps().items()):
        if target in IMPORTED_BY_NOTHING:
            wrong.append(f"{app} → {target} (imported by nothing): {where[0]}")
        elif _layer_of(target) > _layer_of(app):
            wrong.append(f"{app} → {target} runs upward: {where[0]}")
        elif _layer_of(target) == _layer_of(app) and (app, target) not in SAME_LAYER:
            wrong.append(f"{app} → {target} within one layer: {where[0]}")
    assert not wrong, "DESIGN.md §2's order is broken:\n" + "\n".join(wrong)


def test_no_two_apps_import_each_other_round_about():
    edges: dict[str, set[str]] = {}
    for app, target in imports_between_apps():
        edges.setdefault(app, set()).add(target)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(edges.get(here, ()))
        return False

    cycles = sorted({(a, b) for a, targets in edges.items() for b in targets if reaches(b, a)})
    assert not cycles, f"import cycles between apps: {cycles}"


def test_the_check_sees_an_import_that_runs_upward():
    assert _layer_of("core") < _layer_of("appeals") < _layer_of("api")
    edges = imports_between_apps()
    assert ("appeals", "core") in edges and ("api", "appeals") in edges  # the graph is read at all
