"""Hazard types and warning levels, defined once for pages, API and messages (STYLE.md §9)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.accounts.roles import Action


class Hazard(models.TextChoices):
    TYPHOON = "typhoon", _("Typhoon")
    RAINSTORM = "rainstorm", _("Rainstorm")
    FLOOD = "flood", _("Flood")
    HEAT = "heat", _("High temperature")
    GEOLOGICAL = "geological", _("Landslide and geological hazard")
    FIRE = "fire", _("Fire")
    EPIDEMIC = "epidemic", _("Epidemic")
    OTHER = "other", _("Other emergency")


class Level(models.TextChoices):
    """The national four-colour scale (蓝/黄/橙/红), red the most severe."""

    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


# Bootstrap colour classes for the banner: the level's own colour, with readable text on it.
LEVEL_BADGE = {
    Level.BLUE: "text-bg-primary",
    Level.YELLOW: "text-bg-warning",
    Level.ORANGE: "text-bg-orange",
    Level.RED: "text-bg-danger",
}


class WarningStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    ENDED = "ended", _("Lifted")


class Channel(models.TextChoices):
    """How a warning reached a person: the inbox and a text message, or nothing personal (the loudspeaker)."""

    INBOX = "inbox", pgettext_lazy("delivery channel", "Message centre")
    SMS = "sms", _("Text message")
    INBOX_SMS = "inbox_sms", _("Message centre and text message")
    NONE = "none", _("Loudspeaker only")


class AckWay(models.TextChoices):
    SELF = "self", _("Confirmed by the resident")
    CALL = "call", _("Confirmed by phone call")
    VISIT = "visit", _("Confirmed at the door")


class SafetyState(models.TextChoices):
    SAFE = "safe", _("I am safe")
    NEED_HELP = "need_help", _("I need help")


# The staff console's entries (shequ/web/console.py SECTIONS): (action, url name, label).
CONSOLE_SECTIONS = [
    (Action.EMERGENCY_MANAGE, "emergency:console", _("Emergency management")),
    (Action.EMERGENCY_CALL, "emergency:calls_home", _("Warning call lists")),
]
