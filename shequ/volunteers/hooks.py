"""What reacts to confirmed volunteer hours, without this app knowing who (DESIGN.md §2: no upward import).

The time bank (shequ/timebank) sits above volunteers: it earns credits from confirmed hours. It registers a function
here in its `AppConfig.ready()`; `services.hours_confirm` calls every registered function with the confirmed
`HoursRecord`, inside the confirming transaction, after the record and the counters are written. A hook that raises
rolls the confirmation back (the hours and the credits are one unit); keep slow work for after COMMIT
(`transaction.on_commit`) or a task.

The record carries what a hook needs: `id`, `user` (the volunteer's account), `volunteer`, `minutes`, `team` (or
None), `is_group`, `confirmed_at`, `activity`, `kind`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import HoursRecord

HoursConfirmedHook = Callable[["HoursRecord"], None]
_HOURS_CONFIRMED_HOOKS: list[HoursConfirmedHook] = []


def register_hours_confirmed_hook(hook: HoursConfirmedHook) -> None:
    """Call `hook(record)` for every confirmed hours record, in the confirming transaction. Registering twice is a
    no-op."""
    if hook not in _HOURS_CONFIRMED_HOOKS:
        _HOURS_CONFIRMED_HOOKS.append(hook)


def unregister_hours_confirmed_hook(hook: HoursConfirmedHook) -> None:
    """For tests that register a hook of their own."""
    if hook in _HOURS_CONFIRMED_HOOKS:
        _HOURS_CONFIRMED_HOOKS.remove(hook)


def run_hours_confirmed_hooks(record: HoursRecord) -> None:
    for hook in list(_HOURS_CONFIRMED_HOOKS):
        hook(record)
