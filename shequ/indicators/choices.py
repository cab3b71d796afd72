"""Statuses and labels of the indicators and the task ledger, defined once for pages, API and exports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.accounts.roles import Action


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("plan task", "In progress")
    DONE = "done", _("Done")


# Badge colours (Bootstrap classes) of the task statuses and of "overdue", which is a date, not a status.
TASK_BADGE = {
    TaskStatus.NOT_STARTED: "secondary",
    TaskStatus.IN_PROGRESS: "primary",
    TaskStatus.DONE: "success",
    "overdue": "danger",
}


class Escalation(models.IntegerChoices):
    """How far an overdue task has gone up, as an appeal's deadline does: warned, then supervised (督办)."""

    NONE = 0, _("On schedule")
    WARNED = 1, _("Overdue: responsible unit warned")
    SUPERVISED = 2, _("Overdue: under supervision (督办)")


class TaskAction(models.TextChoices):
    CREATED = "created", _("Created")
    STARTED = "started", _("Started")
    PROGRESS = "progress", _("Progress reported")
    DONE = "done", _("Completed with evidence")
    WARNED = "warned", _("Overdue warning")
    SUPERVISED = "supervised", _("Supervision (督办)")


# The console home's entries (shequ/web/console.py) and the title the leaders' dashboard links to.
PLAN_TITLE = _("Plan monitoring")
CONSOLE_SECTIONS = [
    (Action.INDICATORS_VIEW, "indicators:board", PLAN_TITLE),
    (Action.INDICATORS_VIEW, "indicators:tasks", _("Task ledger")),
]
