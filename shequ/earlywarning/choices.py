"""Kinds and statuses of early warnings, with labels and badge colours (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningKind(models.TextChoices):
    RISE = "rise", _("Significant rise")
    REPEAT_ADDRESS = "repeat_address", _("Repeated appeals from one address")
    REPEAT_PERSON = "repeat_person", _("Repeated appeals from one person")
    CLUSTER = "cluster", _("New cluster in space and time")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")
    TASKED = "tasked", _("Proactive task created")


STATUS_BADGE = {
    WarningStatus.OPEN: "danger",
    WarningStatus.ACKNOWLEDGED: "warning",
    WarningStatus.DISMISSED: "secondary",
    WarningStatus.TASKED: "success",
}

# The workflow on one screen (STYLE.md §4): which decision may be taken from which status.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "acknowledge": (WarningStatus.OPEN,),
    "dismiss": (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED),
    "task": (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED),
}
RESULT = {
    "acknowledge": WarningStatus.ACKNOWLEDGED,
    "dismiss": WarningStatus.DISMISSED,
    "task": WarningStatus.TASKED,
}
