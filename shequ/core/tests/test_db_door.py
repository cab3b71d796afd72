"""The database layer is one door (shequ/core/db): nothing outside it reaches into Django's internals, so that a
Django upgrade is checked in one place (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOOR = ROOT / "shequ" / "core" / "db"

# What only the door may use: Django's SQL compilers and queries, the database backends' internals, execution
# wrappers, and bulk_create's private preparation of related fields.
INTERNALS = re.compile(
    r"django\.db\.models\.sql"
    r"|from django\.db\.models import sql\b"
    r"|django\.db\.backends\.(postgresql|sqlite3|base)\.(compiler|operations|base)"
    r"|\.get_compiler\("
    r"|execute_wrapper\("
    r"|_prepare_related_fields_for_save"
)
# Written down: the audit trail's triggers type their schema editor's connection (a public class, no behaviour).
ALLOWED = {("shequ/audit/triggers.py", "django.db.backends.base.base")}


def _sources() -> list[Path]:
    found = []
    for top in ("shequ", "config"):
        for path in (ROOT / top).rglob("*.py"):
            if DOOR in path.parents or "tests" in path.parts:
                continue
            found.append(path)
    return found


def test_nothing_outside_the_database_layer_reaches_into_djangos_internals():
    offenders = []
    for path in _sources():
        rel = str(path.relative_to(ROOT))
        for n, line in enumerate(path.read_text().splitlines(), 1):
            match = INTERNALS.search(line)
            if match and not any(rel == f and a in line for f, a in ALLOWED):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "use shequ.core.db (or add what you need there):\n" + "\n".join(offenders)


def test_the_check_sees_an_offender(tmp_path):
    line = "compiler = qs.query.get_compiler(connection=connection)"
    assert INTERNALS.search(line)
