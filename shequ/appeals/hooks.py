"""What reacts to a new appeal, called the same way on every database.

An intake writes its rows with `shequ.core.db.insert_rows`, which sends no model signals (as `bulk_create`), so
a `post_save` receiver on Appeal would never hear of an intake. An app built on appeals (dispatch: the
after-intake queue) registers a function here in its `AppConfig.ready()` instead; `services._submit` calls every
registered function with the new appeal, inside the intake's transaction, after its rows are written (in its batch
of writes on PostgreSQL: a hook that only inserts costs no round trip of its own). A hook that raises rolls the
intake back: keep hooks to writes that belong with the appeal (a queue row), and do slow work after COMMIT
(`transaction.on_commit`) or in a task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Appeal

IntakeHook = Callable[["Appeal"], None]
_INTAKE_HOOKS: list[IntakeHook] = []


def register_intake_hook(hook: IntakeHook) -> None:
    """Call `hook(appeal)` for every new appeal, in the intake's transaction. Registering twice is a no-op."""
    if hook not in _INTAKE_HOOKS:
        _INTAKE_HOOKS.append(hook)


def run_intake_hooks(appeal: Appeal) -> None:
    for hook in _INTAKE_HOOKS:
        hook(appeal)
